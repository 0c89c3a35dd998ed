// Flat config: typescript-eslint with type information everywhere, plus the determinism rules
// of Temporal's samples on workflow code (no Node built-ins or I/O clients in the sandbox).
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const globals = require('globals');
const { builtinModules } = require('node:module');

/**
 * Files that run inside the Temporal workflow sandbox (and so must be deterministic): the
 * workflow, the ticket domain it bundles, and the bench's no-op workflows.
 */
const WORKFLOW_FILES = [
  'workflows/src/**/*.ts',
  'packages/ticket-domain/src/**/*.ts',
  'test/fixtures/*-workflows.ts',
  'tools/bench/src/noop-workflows.ts',
];
/** Beside the workflow code but outside the sandbox: the worker's entry point and the tests. */
const WORKFLOW_HOST_FILES = [
  'workflows/src/index.ts',
  'workflows/src/**/*.test.ts',
  'packages/ticket-domain/src/**/*.test.ts',
];

/**
 * Import zones: the workflow bundle is the Temporal worker's alone (everyone else takes the
 * ticket's rules from @woop/ticket-domain), and no service imports another (they talk over
 * HTTP and Kafka, through the contracts).
 */
const SERVICES = ['gateway', 'identity', 'inbound', 'notifications', 'tickets'];
const zone = (service) => ({
  files: [`services/${service}/src/**/*.ts`],
  ignores: service === 'tickets' ? ['services/tickets/src/worker/**'] : [],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: [
          {
            name: '@woop/workflows',
            message: 'The workflow bundle is the worker’s: take the rules from @woop/ticket-domain.',
          },
          ...SERVICES.filter((s) => s !== service).map((s) => ({
            name: `@woop/${s}`,
            message: 'Services do not import each other: share through @woop/contracts.',
          })),
        ],
        patterns: SERVICES.filter((s) => s !== service).map((s) => ({
          group: [`**/services/${s}/**`, `../../${s}/**`, `../../../${s}/**`],
          message: 'Services do not import each other: share through @woop/contracts.',
        })),
      },
    ],
  },
});

module.exports = tseslint.config(
  { ignores: ['**/dist/**', 'node_modules/**', '.cache/**', '.data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: __dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/only-throw-error': 'error',
      eqeqeq: ['error', 'smart'],
      'no-console': 'off',
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // The portal's one script runs in the browser.
  {
    files: ['services/gateway/portal/assets/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser } },
  },
  {
    files: WORKFLOW_FILES,
    ignores: WORKFLOW_HOST_FILES,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...builtinModules.flatMap((m) => [m, `node:${m}`]),
            '@temporalio/client',
            '@temporalio/worker',
            '@temporalio/activity',
            'kafkajs',
            'mongoose',
            'nodemailer',
            '@woop/service-kit',
          ].map((name) => ({
            name,
            message: 'Workflow code is deterministic: no Node built-ins or I/O here; call an activity.',
          })),
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Workflow code must not read the process environment.' },
        { name: 'require', message: 'Import modules statically in workflow code.' },
      ],
    },
  },
  ...SERVICES.map(zone),
  {
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
);
