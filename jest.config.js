const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
  ],
};

/**
 * Three projects, so the inner loop stays fast: `unit` (pure code, no servers: `npm run test:unit`; the peer
 * conformance suite is pure too), `services` (PostgreSQL and docker-compose, no Temporal), and `temporal`, which
 * shares one real Temporal dev server started by its global setup; its test/cluster suite also starts a Temporal
 * cluster on PostgreSQL of its own (scripts/temporal-cluster). `npm test` runs all three.
 *
 * @type {import('jest').Config}
 */
module.exports = {
  testTimeout: 60_000,
  maxWorkers: 2,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      roots: ['<rootDir>/test/unit', '<rootDir>/test/conformance'],
      testMatch: ['**/*.test.ts'],
    },
    {
      displayName: 'services',
      testEnvironment: 'node',
      transform,
      roots: ['<rootDir>/test/store', '<rootDir>/test/deploy'],
      testMatch: ['**/*.test.ts'],
    },
    {
      displayName: 'temporal',
      testEnvironment: 'node',
      transform,
      roots: ['<rootDir>/test', '<rootDir>/bench'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/test/unit/', '/test/conformance/', '/test/store/', '/test/deploy/'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
