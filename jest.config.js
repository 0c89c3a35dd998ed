/**
 * Three projects: `unit` (beside the code, no servers), `integration` (test/integration, on
 * the real Temporal, Kafka, FerretDB and mail catcher; its global setup starts them if needed)
 * and `e2e` (test/e2e: the portal in Chromium, on the same servers and the same global setup,
 * which jest runs once for both). Tests run from TypeScript sources through swc; `npm run
 * typecheck` does the type checking.
 */
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' }, module: { type: 'commonjs' } },
  ],
};
const moduleNameMapper = {
  '^@woop/service-kit/tracing$': '<rootDir>/packages/service-kit/src/tracing.ts',
  '^@woop/contracts/workflow$': '<rootDir>/packages/contracts/src/workflow.ts',
  '^@woop/contracts/payloads$': '<rootDir>/packages/contracts/src/payloads.ts',
  '^@woop/(contracts|service-kit)$': '<rootDir>/packages/$1/src/index.ts',
  '^@woop/ticket-domain$': '<rootDir>/packages/ticket-domain/src/index.ts',
  '^@woop/workflows$': '<rootDir>/workflows/src/index.ts',
  '^@woop/tickets/queries$': '<rootDir>/services/tickets/src/api/queries.ts',
  '^@woop/tickets/ticket-client$': '<rootDir>/services/tickets/src/api/ticket-client.ts',
  '^@woop/tickets/read-model$': '<rootDir>/services/tickets/src/model/read-model.ts',
  '^@woop/tickets/(reports|report-routes|context)$': '<rootDir>/services/tickets/src/api/$1.ts',
};
const common = { transform, moduleNameMapper, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  // Integration tests wait on real servers and timers; unit tests finish in milliseconds anyway.
  testTimeout: 60_000,
  // The default output, and a tally of the counts for .ci/run's closing line.
  reporters: ['default', '<rootDir>/test/support/tally-reporter.js'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/{packages,services,tools}/*/src/**/*.test.ts',
        '<rootDir>/workflows/src/**/*.test.ts',
        // Checks across workspaces (the services' layout).
        '<rootDir>/test/unit/**/*.test.ts',
      ],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      setupFiles: ['<rootDir>/test/setup/env.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      setupFiles: ['<rootDir>/test/setup/env.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
  ],
};
