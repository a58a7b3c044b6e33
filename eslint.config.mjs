import js from '@eslint/js';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('node:'));
const SANDBOX_BUILTIN =
  'Workflow code is deterministic and runs in a sandbox without Node built-ins; this module is reachable from src/workflows. Move the I/O into an activity, or use a pure-JS library.';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', '.temporal/**', 'data/**', 'src/web/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O libraries. The rule covers every
    // folder a workflow can reach (test/unit/workflow-sandbox.test.ts checks that against the real import graph); the
    // few modules in those folders the workflow never imports are listed as exceptions.
    files: ['src/workflows/**/*.ts', 'src/shared/**/*.ts', 'src/customerio/**/*.ts'],
    ignores: ['src/shared/event-schema.ts', 'src/customerio/config.ts', 'src/customerio/http/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: SANDBOX_BUILTIN })),
          patterns: [
            { group: ['node:*', ...nodeBuiltins.map((name) => `${name}/*`)], message: SANDBOX_BUILTIN },
            {
              group: [
                'undici',
                'kysely',
                'pg',
                'better-sqlite3',
                'pino',
                'zod',
                '@temporalio/worker',
                '@temporalio/client',
                '@temporalio/activity',
              ],
              message: 'Not allowed in workflow code: I/O or heavy boundary libraries.',
            },
            {
              group: [
                '**/store/**',
                '**/activities/*',
                '!**/activities/contract',
                '**/api/**',
                '**/worker/**',
                '**/config',
                '**/customerio/http/**',
                '**/event-schema',
              ],
              allowTypeImports: true,
              message: 'Workflow code imports only pure modules (types are fine).',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' },
        { name: 'process', message: 'No environment in workflow code.' },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'Date',
          property: 'now',
          message: 'Allowed only in workflows (Temporal makes it deterministic); not in shared pure modules.',
        },
      ],
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
