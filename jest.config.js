/**
 * Unit and integration tests (`npm test`). The real-cluster end-to-end suite has its own
 * config (jest.e2e.config.js) because it needs the Go-built Kubernetes components.
 * The project is ESM, so jest runs with --experimental-vm-modules (see package.json).
 * Type checking is `npm run lint`'s job; ts-jest only transpiles, which keeps the suite fast.
 * @type {import('jest').Config}
 */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/', '<rootDir>/test/package/user-server/'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true }],
  },
  testTimeout: 30000,
};
