// @azure/storage-blob's CommonJS build loads http(s)-proxy-agent 9, agent-base 9 and proxy-agent-negotiate,
// which ship only as ES modules. Node 24 can require() them, but Jest's CommonJS
// runtime can only do so under --experimental-vm-modules; so these packages
// are compiled to CommonJS by ts-jest (transpile only) like our own sources.
const preset = require('../../jest.preset.cjs');
const esmOnly = '(?:https-proxy-agent|http-proxy-agent|agent-base|proxy-agent-negotiate)';
module.exports = {
  ...preset,
  transform: {
    ...preset.transform,
    [`/node_modules/(?:\\.pnpm/[^/]+/node_modules/)?${esmOnly}/.+\\.js$`]: [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'CommonJS', moduleResolution: 'Node10', target: 'ES2022', isolatedModules: true, esModuleInterop: true } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!\\.pnpm/${esmOnly}@|${esmOnly}/)`],
};
