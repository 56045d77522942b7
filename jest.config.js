/** Jest runs TypeScript through SWC (transpile only; `npm run typecheck` does the type checking). */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(ts|js|mjs)$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  // Jest's module system cannot require() ES modules (Node 20 can): these ESM-only packages are transpiled too.
  transformIgnorePatterns: ['/node_modules/(?!(jose|@noble|@scure|openid-client|oauth4webapi)/)'],
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
