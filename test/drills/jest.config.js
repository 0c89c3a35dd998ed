// `npm run test:drills`: the fault drills (slow tier, called by .ci/run after `npm test`). They
// start a private system of their own on free ports (test/drills/stack.ts), so no global setup.
const { projects } = require('../../jest.config');

const integration = projects.find((p) => p.displayName === 'integration');

module.exports = {
  rootDir: '../..',
  testTimeout: 600_000,
  // One drill at a time, always (jest chose it by itself so far): a drill stops and restarts its
  // private servers on their ports, which a drill beside it could take meanwhile, and on 2 cores
  // drills side by side would skew each other's figures.
  maxWorkers: 1,
  transform: integration.transform,
  moduleNameMapper: integration.moduleNameMapper,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: integration.setupFiles,
  displayName: 'drills',
  reporters: ['default', '<rootDir>/test/support/tally-reporter.js'],
  testMatch: ['<rootDir>/test/drills/**/*.test.ts'],
};
