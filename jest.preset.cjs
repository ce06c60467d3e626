// Shared jest settings: ts-jest compiles the TypeScript sources to CommonJS for
// the tests, so the workspace packages are mapped to their src/ (no build needed
// to test) and the `.js` suffixes that NodeNext ESM imports need are dropped.
const path = require('node:path');
const root = __dirname;
// @azure/storage-blob's CommonJS build loads http(s)-proxy-agent 9, agent-base 9
// and proxy-agent-negotiate, which ship only as ES modules; Jest's CommonJS
// runtime cannot require them, so ts-jest transpiles them like our sources.
// Here, not in one package, so every package whose tests load @filexfer/azure works.
const esmOnly = '(?:https-proxy-agent|http-proxy-agent|agent-base|proxy-agent-negotiate)';
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(root, 'tsconfig.test.json'), diagnostics: { warnOnly: false } }],
    [`/node_modules/(?:\\.pnpm/[^/]+/node_modules/)?${esmOnly}/.+\\.js$`]: [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'CommonJS', moduleResolution: 'Node10', target: 'ES2022', isolatedModules: true, esModuleInterop: true } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!\\.pnpm/${esmOnly}@|${esmOnly}/)`],
  moduleNameMapper: {
    '^@filexfer/core/testing$': path.join(root, 'packages/core/src/testing/index.ts'),
    '^@filexfer/(core|local|s3|gcs|azure|cli)$': path.join(root, 'packages/$1/src/index.ts'),
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testTimeout: 60000,
  reporters: ['default', path.join(root, 'scripts/lib/jest-count-reporter.cjs')],
};
