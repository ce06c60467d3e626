export { S3Adapter, MAX_KEY_BYTES, MAX_EXPIRES_IN, DEFAULT_EXPIRES_IN } from './adapter.js';
export type { S3UploadState } from './adapter.js';
export type { S3AdapterOptions, S3ChecksumType, S3Credentials, S3CredentialProvider } from './options.js';
export { DEFAULT_COMPATIBLE_REGION } from './options.js';
export { choosePartSize, MIN_PART_SIZE, MAX_PART_SIZE, MAX_PARTS, MAX_OBJECT_SIZE, MAX_SINGLE_PUT } from './parts.js';
export { classifyS3Error, parseErrorXml } from './errors.js';
