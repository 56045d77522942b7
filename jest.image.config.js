/**
 * `npm run image:check`, run by .ci/run: the production image built from the Dockerfile without a Docker engine, and
 * its worker completing a run. Apart from `npm test` because it installs the dependencies twice and compiles.
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/image/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
};
