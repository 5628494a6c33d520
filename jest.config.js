/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  moduleNameMapper: {
    // The build inlines the connection table derived from tenant.yaml; source tests derive the same
    // table with the same code (see tests/kit/tenant-connections.ts).
    '^virtual:tenant-connections$': '<rootDir>/tests/kit/tenant-connections.ts',
  },
};
