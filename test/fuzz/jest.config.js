// deploy/local/fuzz.sh only: Schemathesis against the served OpenAPI document, on the real
// servers (the integration project's global setup starts them when they are not running).
const { projects } = require('../../jest.config');

const integration = projects.find((p) => p.displayName === 'integration');

module.exports = {
  rootDir: '../..',
  ...integration,
  displayName: 'fuzz',
  reporters: ['default', '<rootDir>/test/support/tally-reporter.js'],
  testMatch: ['<rootDir>/test/fuzz/**/*.test.ts'],
  // Schemathesis has its own time budget per identity (FUZZ_MAX_TIME); this is the backstop.
  testTimeout: 15 * 60_000,
};
