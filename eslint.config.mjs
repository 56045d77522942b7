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
    // Workflows run in Temporal's deterministic sandbox: only @temporalio/workflow and common/ may be imported.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../activities/*', '../activities', '!../activities/types'],
              message: 'Workflows may import only activity types.',
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
);
