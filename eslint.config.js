import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

export default tseslint.config(
  { ignores: ['node_modules/**', '.driftline/**', 'bench-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code is replayed and must stay deterministic: no Node built-ins, no I/O clients,
    // and activities only as types (proxyActivities<typeof …>), never their implementation.
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflows must not use Node built-ins (non-deterministic I/O).' })),
          patterns: [
            { group: ['pg', 'pg-*', 'node-pg-migrate', 'csv-parse', 'csv-parse/*', '@temporalio/activity', '@temporalio/worker', '@temporalio/client'], message: 'Workflows must not do I/O; call an activity.' },
            { group: ['**/activities', '**/activities/*', '**/lib/db/*', '**/lib/data/*', '**/lib/spec/load-spec'], allowTypeImports: true, message: 'Workflows may import activities and I/O modules as types only.' },
          ],
        },
      ],
    },
  },
);
