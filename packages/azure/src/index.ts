export { AzureAdapter, CRC32C_METADATA } from './adapter.js';
export type { AzureAdapterOptions, TokenCredential } from './options.js';
export { DEFAULT_SAS_EXPIRES_IN, DEFAULT_PRESIGN_EXPIRES_IN } from './options.js';
export type { AzureUploadState } from './blockUpload.js';
export { STORAGE_VERSION } from './sas.js';
