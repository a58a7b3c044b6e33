// Writes the client package's package.json (scripts/pack-client): name and version from the repository's, and as
// dependencies only what the compiled client requires, at the versions this repository is tested with.
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const CLIENT_DEPENDENCIES = ['@temporalio/client', '@temporalio/common', '@noble/hashes', 'zod'];
/** What `signal-customerio/order-book` (ordered starts, on the service's database) needs besides: optional peers. */
const ORDER_BOOK_PEERS = ['kysely', 'pg', 'better-sqlite3'];

const out = process.argv[2];
const root = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
const dependencies = Object.fromEntries(CLIENT_DEPENDENCIES.map((name) => [name, root.dependencies[name]]));
const peerDependencies = Object.fromEntries(ORDER_BOOK_PEERS.map((name) => [name, root.dependencies[name]]));
const missing = [...CLIENT_DEPENDENCIES, ...ORDER_BOOK_PEERS].filter((name) => !root.dependencies[name]);
if (missing.length > 0) throw new Error(`not in package.json dependencies: ${missing.join(', ')}`);
const pkg = {
  name: root.name,
  version: root.version,
  description: 'The typed client of signal-customerio: start Customer.io deliveries as Temporal workflows',
  license: root.license,
  engines: root.engines,
  exports: {
    './client': { types: './dist/client/index.d.ts', default: './dist/client/index.js' },
    './order-book': { types: './dist/client/open-order-book.d.ts', default: './dist/client/open-order-book.js' },
    './package.json': './package.json',
  },
  files: ['dist', 'README.md', 'CHANGELOG.md'],
  dependencies,
  peerDependencies,
  peerDependenciesMeta: Object.fromEntries(ORDER_BOOK_PEERS.map((name) => [name, { optional: true }])),
};
writeFileSync(join(out, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
