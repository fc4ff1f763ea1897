/** Two projects: unit tests (pure, fast) and integration tests against the real PostgreSQL, Redis and SMTP. */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }] };
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform,
  moduleFileExtensions: ['ts', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/\\.data/'],
  modulePathIgnorePatterns: ['<rootDir>/apps/.*/dist/', '<rootDir>/\\.data/'],
};

/** @type {import('jest').Config} */
module.exports = {
  maxWorkers: process.env.CI ? 2 : '50%',
  // The load-under-fault tests must not overlap each other (see the file).
  testSequencer: '<rootDir>/jest/test-sequencer.js',
  // Integration tests start real servers and processes; 2 loaded cores make 5 s too tight.
  testTimeout: 30_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,scripts}/**/*.test.ts'], testPathIgnorePatterns: [...common.testPathIgnorePatterns, '\\.int\\.test\\.ts$'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,scripts}/**/*.int.test.ts'],
      globalSetup: '<rootDir>/jest/global-setup.ts',
    },
  ],
};
