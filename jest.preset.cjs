// Shared jest settings: ts-jest compiles the TypeScript sources to CommonJS for
// the tests, so the workspace packages are mapped to their src/ (no build needed
// to test) and the `.js` suffixes that NodeNext ESM imports need are dropped.
const path = require('node:path');
const root = __dirname;
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(root, 'tsconfig.test.json'), diagnostics: { warnOnly: false } }],
  },
  moduleNameMapper: {
    '^@filexfer/core/testing$': path.join(root, 'packages/core/src/testing/index.ts'),
    '^@filexfer/(core|local|s3|gcs|azure|cli)$': path.join(root, 'packages/$1/src/index.ts'),
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testTimeout: 60000,
  reporters: ['default', path.join(root, 'scripts/lib/jest-count-reporter.cjs')],
};
