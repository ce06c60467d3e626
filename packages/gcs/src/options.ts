/**
 * GcsAdapter options, checked at construction so a mistake is reported before
 * any byte moves, with a message that says how to fix it.
 */
import { readFileSync } from 'node:fs';
import type { Storage } from '@google-cloud/storage';
import { FileXferError } from '@filexfer/core';

/** The fields of a service-account JSON key that signing needs. */
export interface GcsServiceAccountKey {
  client_email: string;
  private_key: string;
  [field: string]: unknown;
}

export interface GcsAdapterOptions {
  /** An existing bucket. Required. */
  bucket: string;
  /** The project, passed to the SDK. Default: the SDK's (from the key or the environment); signing does not need it. */
  projectId?: string;
  /**
   * The storage origin, e.g. `http://127.0.0.1:4443` for fake-gcs-server.
   * Default: `https://storage.googleapis.com` (or `STORAGE_EMULATOR_HOST`, as the SDK reads it).
   * Signed URLs are built on this origin.
   */
  apiEndpoint?: string;
  /**
   * A service-account key (the parsed JSON key file). Signed URLs are signed
   * with its private key, locally. Default: `keyFilename`, else the SDK's
   * Application Default Credentials (which sign through the IAM signBlob API).
   */
  credentials?: GcsServiceAccountKey;
  /** Path to a service-account JSON key file; read and checked at construction. */
  keyFilename?: string;
  /** A `Storage` client you already have; then bucket is its bucket, and credentials/keyFilename/apiEndpoint/projectId must not be given. */
  storage?: Storage;
  /**
   * The endpoint is fake-gcs-server: work around its quirks (the object name
   * and metadata of a resumable session go in the start request's JSON body; it
   * checks no signatures; it finalises a session on a status query, so resume
   * restarts the session). Default: true when the endpoint is a loopback host,
   * because Cloud Storage itself never is.
   */
  emulator?: boolean;
  /**
   * Timeout (ms) of the small control requests the adapter sends itself: start
   * a session, ask its offset, cancel it, HEAD and DELETE an object. Default:
   * 30000, long enough for a slow link, short enough that a dead one fails.
   * The engine sends the bytes with its own timeouts.
   */
  requestTimeoutMs?: number;
}

export interface ResolvedGcsOptions {
  bucket: string;
  storage?: Storage;
  projectId?: string;
  apiEndpoint?: string;
  /** From `credentials` or a JSON `keyFilename`, checked. */
  key?: GcsServiceAccountKey;
  /** A non-JSON key file (.p12), left to the SDK. */
  keyFilename?: string;
  emulator: boolean;
  requestTimeoutMs: number;
}

export const HOW_TO_KEY =
  'Signed URLs are signed with a service account\'s private key. Create a key with ' +
  '`gcloud iam service-accounts keys create key.json --iam-account=NAME@PROJECT.iam.gserviceaccount.com` and pass ' +
  "`keyFilename: 'key.json'` or `credentials: JSON.parse(readFileSync('key.json', 'utf8'))` (it needs client_email and private_key). " +
  'User credentials from `gcloud auth login` and bare access tokens cannot sign URLs.';

export function invalid(message: string): FileXferError {
  return new FileXferError('InvalidInput', message, { adapter: 'gcs', operation: 'configure', retryable: false });
}

export function resolveOptions(options: GcsAdapterOptions | undefined): ResolvedGcsOptions {
  if (!options || typeof options !== 'object') {
    throw invalid("GcsAdapter needs an options object: new GcsAdapter({ bucket: 'my-bucket', keyFilename: 'key.json' }).");
  }
  const bucket = checkBucketName(options.bucket);
  const timeout = options.requestTimeoutMs ?? 30_000;
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw invalid(`GcsAdapter: requestTimeoutMs must be a positive number of milliseconds, got ${String(options.requestTimeoutMs)}.`);
  }
  if (options.storage) {
    const extra = (['credentials', 'keyFilename', 'apiEndpoint', 'projectId'] as const).filter((k) => options[k] !== undefined);
    if (extra.length > 0) {
      throw invalid(`GcsAdapter: pass either \`storage\` or ${extra.map((k) => `\`${k}\``).join(', ')}, not both: a Storage client already carries its endpoint and credentials.`);
    }
    return {
      bucket,
      storage: options.storage,
      emulator: options.emulator ?? isLoopback(options.storage.apiEndpoint),
      requestTimeoutMs: timeout,
    };
  }
  if (options.credentials !== undefined && options.keyFilename !== undefined) {
    throw invalid('GcsAdapter: pass either `credentials` or `keyFilename`, not both.');
  }
  const apiEndpoint = options.apiEndpoint === undefined ? undefined : checkEndpoint(options.apiEndpoint);
  let key = options.credentials === undefined ? undefined : checkKey(options.credentials, 'credentials');
  let keyFilename: string | undefined;
  if (options.keyFilename !== undefined) {
    key = checkKeyFile(options.keyFilename);
    if (!key) keyFilename = options.keyFilename;
  }
  if (options.projectId !== undefined && (typeof options.projectId !== 'string' || options.projectId === '')) {
    throw invalid('GcsAdapter: projectId must be a non-empty string (or leave it out).');
  }
  const endpoint = apiEndpoint ?? process.env.STORAGE_EMULATOR_HOST;
  return {
    bucket,
    projectId: options.projectId,
    apiEndpoint,
    key,
    keyFilename,
    emulator: options.emulator ?? (endpoint !== undefined && isLoopback(endpoint)),
    requestTimeoutMs: timeout,
  };
}

/** https://cloud.google.com/storage/docs/buckets#naming */
function checkBucketName(bucket: unknown): string {
  if (bucket === undefined || bucket === null || bucket === '') {
    throw invalid("GcsAdapter: `bucket` is required: the name of an existing bucket, e.g. new GcsAdapter({ bucket: 'my-bucket' }).");
  }
  if (typeof bucket !== 'string') throw invalid(`GcsAdapter: \`bucket\` must be a string, got ${typeof bucket}.`);
  const ok =
    /^[a-z0-9][a-z0-9._-]*[a-z0-9]$/.test(bucket) &&
    bucket.length >= 3 &&
    bucket.length <= 222 &&
    bucket.split('.').every((label) => label.length >= 1 && label.length <= 63) &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(bucket) &&
    !bucket.startsWith('goog');
  if (!ok) {
    throw invalid(
      `GcsAdapter: "${bucket}" is not a valid bucket name: use 3-63 lowercase letters, digits, dashes, underscores ` +
        '(dots allowed up to 222 characters), starting and ending with a letter or digit. See https://cloud.google.com/storage/docs/buckets#naming',
    );
  }
  return bucket;
}

function checkEndpoint(endpoint: unknown): string {
  if (typeof endpoint !== 'string') throw invalid('GcsAdapter: apiEndpoint must be a URL string such as http://127.0.0.1:4443.');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw invalid(`GcsAdapter: apiEndpoint "${endpoint}" is not a URL; write it with its scheme, e.g. http://127.0.0.1:4443.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(`GcsAdapter: apiEndpoint must be http:// or https://, got ${url.protocol}`);
  }
  return url.origin;
}

/** The SDK signs locally only with a private key; without one it would try IAM signBlob, which a user key cannot do. */
function checkKey(key: unknown, where: string): GcsServiceAccountKey {
  if (!key || typeof key !== 'object') throw invalid(`GcsAdapter: ${where} must be a parsed service-account key object. ${HOW_TO_KEY}`);
  const k = key as Record<string, unknown>;
  if (k.type === 'authorized_user' || k.type === 'external_account') {
    throw invalid(`GcsAdapter: ${where} holds ${String(k.type)} credentials, which have no private key. ${HOW_TO_KEY}`);
  }
  if (typeof k.private_key !== 'string' || k.private_key.trim() === '') {
    throw invalid(`GcsAdapter: ${where} has no private_key, so it cannot sign URLs. ${HOW_TO_KEY}`);
  }
  if (!k.private_key.includes('PRIVATE KEY-----')) {
    throw invalid(`GcsAdapter: ${where}.private_key is not a PEM private key (it should start with "-----BEGIN PRIVATE KEY-----"). ${HOW_TO_KEY}`);
  }
  if (typeof k.client_email !== 'string' || k.client_email === '') {
    throw invalid(`GcsAdapter: ${where} has no client_email; a signed URL names the service account that signed it. ${HOW_TO_KEY}`);
  }
  return k as GcsServiceAccountKey;
}

/** The parsed key of a JSON key file; undefined for other formats (.p12), which the SDK reads. */
function checkKeyFile(path: unknown): GcsServiceAccountKey | undefined {
  if (typeof path !== 'string' || path === '') throw invalid('GcsAdapter: keyFilename must be the path of a service-account JSON key file.');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw invalid(`GcsAdapter: cannot read keyFilename "${path}" (${(error as NodeJS.ErrnoException).code ?? 'error'}). ${HOW_TO_KEY}`);
  }
  // .p12 keys are binary; only JSON keys can be checked here, the SDK reads the others.
  if (!path.toLowerCase().endsWith('.json') && !text.trimStart().startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid(`GcsAdapter: keyFilename "${path}" is not valid JSON. ${HOW_TO_KEY}`);
  }
  return checkKey(parsed, `the key file "${path}"`);
}

function isLoopback(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  try {
    const host = new URL(endpoint.includes('://') ? endpoint : `http://${endpoint}`).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
  } catch {
    return false;
  }
}

/** https://cloud.google.com/storage/docs/objects#naming */
export function checkObjectKey(key: unknown, operation: string): string {
  const fail = (why: string) =>
    new FileXferError('InvalidInput', `GCS refuses the object name ${JSON.stringify(key)}: ${why}. See https://cloud.google.com/storage/docs/objects#naming`, {
      adapter: 'gcs',
      operation,
      retryable: false,
    });
  if (typeof key !== 'string' || key === '') throw fail('an object name must be a non-empty string');
  if (Buffer.byteLength(key, 'utf8') > 1024) throw fail('it is longer than 1024 bytes in UTF-8; use a shorter key');
  if (/[\r\n]/.test(key)) throw fail('it contains a carriage return or line feed; remove them');
  if (key === '.' || key === '..') throw fail('"." and ".." cannot be object names');
  if (key.startsWith('.well-known/acme-challenge/')) throw fail('names starting with ".well-known/acme-challenge/" are reserved');
  if (key.includes('\u0000')) throw fail('it contains a NUL character');
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(key)) throw fail('it is not valid UTF-8 (it has a lone surrogate)');
  return key;
}

/** Custom metadata goes in x-goog-meta-* headers, so names and values must be header-safe. */
export function checkMetadata(metadata: Record<string, string> | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata ?? {})) {
    if (!/^[A-Za-z0-9_-]+$/.test(name)) {
      throw invalid(`GcsAdapter: metadata name "${name}" can only use letters, digits, "-" and "_" (it travels as an x-goog-meta- header).`);
    }
    if (typeof value !== 'string' || !/^[\x20-\x7e]*$/.test(value)) {
      throw invalid(`GcsAdapter: metadata "${name}" must be printable ASCII (it travels in a header); encode it first, e.g. with encodeURIComponent.`);
    }
    headers[`x-goog-meta-${name.toLowerCase()}`] = value;
  }
  return headers;
}
