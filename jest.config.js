/**
 * Two projects: `unit` — the policy, value rules, provenance record, checker and Actions (source and
 * bundle), nothing that starts a tenant or a0deploy: `npm run test:unit`, the inner loop — and `integration`:
 * everything else (the local tenant over HTTPS, a0deploy, the browser, the CLI end to end). `npm test` and
 * CI run both.
 * @type {import('jest').Config}
 */
const shared = {
  testEnvironment: 'node',
  // .local holds the local tenant, bench files and installed Action dependencies: no tests, no modules.
  modulePathIgnorePatterns: ['<rootDir>/.local/'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  moduleNameMapper: {
    // The build inlines the connection table derived from tenant.yaml; source tests derive the same
    // table with the same code (see tests/kit/tenant-connections.ts).
    '^virtual:tenant-connections$': '<rootDir>/tests/kit/tenant-connections.ts',
  },
};

const UNIT = [
  'value-rules', 'define-policy', 'compile-policy', 'provenance-record', 'connection-kinds', 'properties',
  'check', 'check-corpus', 'check-mutations', 'environments', 'post-login', 'pre-user-registration', 'kit', 'audit-defaults', 'boundaries', 'plan', 'fork-scenarios', 'rate-pacer',
].map((name) => `<rootDir>/tests/${name}.test.ts`);

module.exports = {
  // Suites run in parallel (each has its own ports, state folders and copies of the project). The end-to-end
  // ones spend part of their time waiting on child processes (a0deploy pauses between its stages), so one
  // and a half workers per core keeps the cores busy.
  maxWorkers: Math.max(2, Math.ceil(require('node:os').availableParallelism() * 1.5)),
  testSequencer: '<rootDir>/tests/support/sequencer.js',
  projects: [
    // A team keeps a test beside its own Action (actions/NAME.test.ts): part of the inner loop too.
    {
      ...shared,
      displayName: 'unit',
      testMatch: [...UNIT, '<rootDir>/actions/**/*.test.ts'],
      // The run's own temporary folder, removed at its end (tests/support/run-temp.ts).
      globalSetup: '<rootDir>/tests/support/unit-setup.ts',
      globalTeardown: '<rootDir>/tests/support/unit-teardown.ts',
    },
    {
      ...shared,
      displayName: 'integration',
      // One real deploy every suite that needs a deployed tenant copies (tests/support/deployed.ts).
      globalSetup: '<rootDir>/tests/support/global-setup.ts',
      globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
      roots: ['<rootDir>/tests', '<rootDir>/packages'], testMatch: ['**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/', ...UNIT.map((file) => file.replace(/\./g, '\\.'))],
    },
  ],
};
