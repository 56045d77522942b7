// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', 'coverage/', 'test-artifacts/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Workflows run in Temporal's deterministic sandbox: only @temporalio/workflow and common/ may be imported, and
    // activities only as types (erased by the bundler).
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../activities', '../activities/*'],
              allowTypeImports: true,
              message: 'Workflows may import activities only as types (import type …).',
            },
            {
              group: [
                '@alicloud/*',
                '@temporalio/client',
                '@temporalio/worker',
                '@temporalio/activity',
                'node:*',
                'fs',
                'http',
                'crypto',
                '../worker*',
                '../config*',
                '../client*',
                '../emulator*',
              ],
              message: 'Workflows must stay deterministic: import only @temporalio/workflow and common/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@alicloud/*',
                '@temporalio/client',
                '@temporalio/worker',
                '@temporalio/activity',
                'node:*',
                'fs',
                'http',
                'crypto',
                '../activities*',
                '../workflows*',
                '../worker*',
                '../config*',
                '../client*',
                '../emulator*',
              ],
              message: 'common/ is imported by workflows: keep it free of side effects and Node APIs.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Plain CommonJS entry points and configs run by Node.
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        module: 'writable',
        require: 'readonly',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
