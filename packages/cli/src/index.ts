export { main, type MainOptions } from './main.js';
export { ExitCode, CliError, exitCodeFor } from './exit-codes.js';
export { parseStoreUrl, type StoreUrl, type Scheme } from './store-url.js';
