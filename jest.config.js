/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Tests beside the Actions too: a team keeps a test next to its own Action (actions/team-claim.test.ts).
  roots: ['<rootDir>/tests', '<rootDir>/actions'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  moduleNameMapper: {
    // The build inlines the connection table derived from tenant.yaml; source tests derive the same
    // table with the same code (see tests/kit/tenant-connections.ts).
    '^virtual:tenant-connections$': '<rootDir>/tests/kit/tenant-connections.ts',
  },
};
