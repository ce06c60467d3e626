export { LocalAdapter } from './adapter.js';
export type { LocalAdapterOptions } from './options.js';
export { startLocalServer, type LocalServer, type LocalServerOptions } from './server.js';
export { checkKey } from './keys.js';
