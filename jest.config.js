/** Jest runs TypeScript through SWC (transpile only; `npm run typecheck` does the type checking). */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // The production image check has its own config (jest.image.config.js), run by .ci/run.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/image/'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  // Test files share one Temporal dev server; two workers in parallel fit this 2-core machine.
  maxWorkers: 2,
};
