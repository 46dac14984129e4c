/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  // Before any module loads: see the file.
  setupFiles: ['<rootDir>/test/helpers/driver-runtime.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/helpers/nock-per-suite.ts', '<rootDir>/test/helpers/slack-contract.ts', '<rootDir>/test/helpers/graph-contract.ts'],
  maxWorkers: 2,
  testTimeout: 30000,
  // nock keeps interceptors on globals; jest's soft cleanup only warns about them.
  testEnvironmentOptions: { globalsCleanup: 'off' },
};
