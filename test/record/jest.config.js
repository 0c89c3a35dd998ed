// `npm run histories:record` only: records workflows/histories/*.json on the dev server.
const { projects, testTimeout } = require('../../jest.config');

const integration = projects.find((p) => p.displayName === 'integration');

module.exports = {
  rootDir: '../..',
  testTimeout,
  ...integration,
  displayName: 'record',
  testMatch: ['<rootDir>/test/record/**/*.test.ts'],
};
