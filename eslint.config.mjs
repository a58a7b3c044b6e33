import js from '@eslint/js';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.flatMap((m) => [m, `node:${m}`]);

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
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O libraries. The pure modules
    // it imports (shared/, customerio mapping) are held to the same rule.
    files: [
      'src/workflows/**/*.ts',
      'src/shared/{names,delivery,retry-policy,search-attributes,attempts}.ts',
      'src/customerio/{timestamps,identifiers,event-id,limits,outcomes}.ts',
      'src/customerio/requests/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code is deterministic: no Node built-ins.' })),
          patterns: [
            { group: ['undici', 'kysely', 'pg', 'better-sqlite3', 'pino', 'zod', '@temporalio/worker', '@temporalio/client', '@temporalio/activity'], message: 'Not allowed in workflow code: I/O or heavy boundary libraries.' },
            { group: ['**/store/**', '**/activities/*', '**/api/**', '**/worker/**', '**/config'], allowTypeImports: true, message: 'Workflow code imports only pure modules (types are fine).' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' }, { name: 'process', message: 'No environment in workflow code.' }],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Allowed only in workflows (Temporal makes it deterministic); not in shared pure modules.' }],
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
