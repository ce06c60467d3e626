export { GcsAdapter, GCS_CHUNK_MULTIPLE, type GcsUploadState } from './adapter.js';
export type { GcsAdapterOptions, GcsServiceAccountKey } from './options.js';
export { classifyGcsError, checksumsFromGcsResponse, parseGoogHash } from './errors.js';
