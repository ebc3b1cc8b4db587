import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];
const sharedZodPattern = "zod's shared-pattern string formats fail in the workflow sandbox, which freezes zod: use z.string().regex() with a pattern of your own.";

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
    // The workflow sandbox evaluates zod once per worker thread and the SDK then freezes it
    // (workflows/shared-modules.ts). These checks test a regular expression zod shares and reset its
    // lastIndex first, which a frozen one refuses: in a workflow they would throw on every parse.
    files: ['workflows/**/*.ts', 'lib/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.property.name=/^(email|guid|cuid|cuid2|ulid|xid|ksuid|nanoid|ipv4|ipv6|cidrv4|cidrv6|base64|base64url|e164|hostname|hex|hash|lowercase|uppercase)$/]",
          message: sharedZodPattern,
        },
        {
          selector: "CallExpression[callee.object.property.name='iso'][callee.property.name=/^(date|duration)$/]",
          message: sharedZodPattern,
        },
      ],
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
