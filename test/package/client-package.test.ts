import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';
import { temporalAddress } from '../support/temporal';
import { ROOT } from '../support/processes';

const run = promisify(execFile);
const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  devDependencies: Record<string, string>;
};

/** What a Signal engineer writes after `npm install signal-customerio-<version>.tgz`: nothing else of this repo. */
const CONSUMER = `
import {
  connectClient,
  deliveryWorkflowId,
  InvalidEventError,
  startDeliveries,
  startDelivery,
  TemporalUnavailableError,
  type DeliveryResult,
  type StartDeliveryOutcome,
} from 'signal-customerio/client';

async function main(): Promise<void> {
  const [address, taskQueue, integrationId, messageId] = process.argv.slice(2) as [string, string, string, string];
  const client = await connectClient({ address, namespace: 'default' });
  let invalid = '';
  try {
    await startDelivery(client, integrationId, { type: 'track', userId: 'u', messageId: 'no-event-name' } as never);
  } catch (err) {
    if (err instanceof InvalidEventError) invalid = err.issues.map((i) => i.path).join(',');
    else if (err instanceof TemporalUnavailableError) throw err;
  }
  const event = { type: 'track' as const, event: 'Packaged Client', userId: 'user-pkg', messageId };
  const outcome: StartDeliveryOutcome = await startDelivery(client, integrationId, event, { taskQueue });
  const again = await startDelivery(client, integrationId, event, { taskQueue });
  const result: DeliveryResult = await client.workflow.getHandle(outcome.workflowId).result();
  const sameId = outcome.workflowId === deliveryWorkflowId(integrationId, messageId);
  // A batch, in array order (without an order book from signal-customerio/order-book: not ordered per person).
  const batch = await startDeliveries(
    client,
    integrationId,
    [1, 2].map((n) => ({ type: 'track' as const, event: \`Batch \${n}\`, userId: 'user-pkg', messageId: \`\${messageId}-\${n}\` })),
    { taskQueue },
  );
  const batchResults = await Promise.all(batch.map((b) => client.workflow.getHandle(b.workflowId).result()));
  console.log(
    JSON.stringify({
      status: outcome.status,
      again: again.status,
      sameId,
      invalid,
      result,
      batch: batch.map((b) => b.status),
      batchResults: batchResults.map((r) => r.status),
    }),
  );
  await client.connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;

/** Misuse the package's types must refuse: a number as event name, and a result field that does not exist. */
const MISUSE = `
import { startDelivery, type DeliveryResult } from 'signal-customerio/client';
declare const client: Parameters<typeof startDelivery>[0];
void startDelivery(client, 'int', { type: 'track', event: 42, userId: 'u', messageId: 'm' });
declare const result: DeliveryResult;
export const nope: string = result.noSuchField;
`;

/**
 * The typed client as Signal would use it: packed (`bash scripts/pack-client`), installed from the tarball into a
 * fresh project outside this repository, compiled there with its own TypeScript under Node16 resolution (which honours
 * the package's `exports`), and run against the dev server, where this harness's worker delivers what it started.
 */
describe('the typed client as an npm package', () => {
  let h: DeliveryHarness;
  let work: string;
  beforeAll(async () => {
    h = await startDeliveryHarness();
    work = mkdtempSync(join(tmpdir(), 'signal-client-'));
  });
  afterAll(async () => {
    await h.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('installs from the tarball alone, type-checks, and starts a delivery that reaches Customer.io', async () => {
    const packed = await run('bash', [join(ROOT, 'scripts/pack-client'), join(work, 'package')], { cwd: ROOT });
    const tarball = packed.stdout.trim().split('\n').at(-1)!;
    expect(tarball).toMatch(new RegExp(`signal-customerio-${rootPackage.version.replace(/\./g, '\\.')}\\.tgz$`));

    const project = join(work, 'consumer');
    mkdirSync(join(project, 'src'), { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    const tools = ['typescript', '@types/node'].map((name) => `${name}@${rootPackage.devDependencies[name]}`);
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, ...tools], {
      cwd: project,
      timeout: 240_000,
    });

    // What was installed is the client and its four dependencies, nothing of the server.
    const installed = join(project, 'node_modules/signal-customerio');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(Object.keys(manifest.dependencies).sort()).toEqual(
      ['@noble/hashes', '@temporalio/client', '@temporalio/common', 'zod'].sort(),
    );
    for (const server of ['fastify', 'kysely', 'pg', 'better-sqlite3', '@temporalio/worker']) {
      expect(existsSync(join(project, 'node_modules', server))).toBe(false);
    }
    for (const part of ['api', 'worker', 'activities', 'workflows', 'intake']) {
      expect(existsSync(join(installed, 'dist', part))).toBe(false);
    }
    // The order book (ordered starts on the service's database) is a second entry, its drivers optional peers that
    // are not installed: the client itself must load without them (the run below does).
    expect(manifest.exports['./order-book']).toBeDefined();
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['better-sqlite3', 'kysely', 'pg']);
    expect(Object.values(manifest.peerDependenciesMeta)).toEqual([
      { optional: true },
      { optional: true },
      { optional: true },
    ]);

    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'node16',
          moduleResolution: 'node16',
          strict: true,
          // As Temporal's own project templates set it: @temporalio/common's typings of \`ms\` do not resolve under
          // Node16 resolution. The consumer's code is still checked against the package's types (the misuse below).
          skipLibCheck: true,
          outDir: 'dist',
          types: ['node'],
        },
        include: ['src'],
      }),
    );
    const tsc = join(project, 'node_modules/.bin/tsc');
    writeFileSync(join(project, 'src/misuse.ts'), MISUSE);
    const misuse = await run(tsc, ['-p', '.', '--noEmit'], { cwd: project }).then(
      () => '',
      (err: { stdout: string }) => err.stdout,
    );
    expect(misuse).toMatch(/misuse\.ts.*error TS2322/);
    expect(misuse).toMatch(/noSuchField/);
    rmSync(join(project, 'src/misuse.ts'));

    writeFileSync(join(project, 'src/main.ts'), CONSUMER);
    await run(tsc, ['-p', '.'], { cwd: project });

    const integration = await h.createIntegration({ region: 'us' });
    const messageId = `pkg-${Date.now()}`;
    const started = await run(
      process.execPath,
      ['dist/main.js', temporalAddress(), h.taskQueue, integration.id, messageId],
      { cwd: project, timeout: 60_000 },
    );
    const report = JSON.parse(started.stdout.trim().split('\n').at(-1)!);
    expect(report).toMatchObject({
      status: 'started',
      again: 'duplicate',
      sameId: true,
      invalid: 'event',
      result: { status: 'delivered', httpStatus: 200, attempts: 1 },
      batch: ['started', 'started'],
      batchResults: ['delivered', 'delivered'],
    });
    expect(h.us.requests.map((r) => (r.json as { name: string }).name).sort()).toEqual(
      ['Batch 1', 'Batch 2', 'Packaged Client'].sort(),
    );
    const request = h.us.requests.find((r) => (r.json as { name: string }).name === 'Packaged Client');
    expect(request).toMatchObject({ method: 'POST', path: '/api/v1/customers/user-pkg/events' });
    expect(request!.json).toMatchObject({ name: 'Packaged Client' });
    const auth = Buffer.from(`${integration.credentials.siteId}:${integration.credentials.apiKey}`).toString('base64');
    expect(request!.headers.authorization).toBe(`Basic ${auth}`);
  }, 300_000);
});
