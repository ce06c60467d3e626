/**
 * Store URLs name a place in a store without credentials:
 *   s3://bucket/prefix/      Amazon S3 and S3-compatibles
 *   gs://bucket/prefix/      Google Cloud Storage
 *   az://container/prefix/   Azure Blob Storage
 *   local://root-folder/     the local store (`filexfer serve --root root-folder`)
 * Keys are taken as typed (no percent-decoding), as the aws and gsutil tools do.
 */
import { homedir } from 'node:os';
import { CliError, ExitCode } from './exit-codes.js';

export type Scheme = 's3' | 'gs' | 'az' | 'local';
export const SCHEMES: readonly Scheme[] = ['s3', 'gs', 'az', 'local'];

export interface StoreUrl {
  scheme: Scheme;
  /** Bucket or container; for local://, the folder path as typed (the store root is found on disk). */
  bucket: string;
  /** Everything after the bucket, without a leading "/": a prefix for uploads, a key for presign and download. */
  path: string;
  /** The URL as given, for messages. */
  text: string;
}

const KNOWN_MISTAKES: Record<string, string> = {
  gcs: 'Google Cloud Storage is gs://bucket/prefix/.',
  azure: 'Azure Blob Storage is az://container/prefix/.',
  file: 'A folder on this machine is local://folder/ (served by `filexfer serve`).',
  http: 'An http(s) URL is a shared link: `filexfer download <url>` takes it; uploads go to s3://, gs://, az:// or local://.',
  https: 'An http(s) URL is a shared link: `filexfer download <url>` takes it; uploads go to s3://, gs://, az:// or local://.',
};

const EXAMPLES = 's3://bucket/prefix/, gs://bucket/prefix/, az://container/prefix/ or local://root-folder/';

/** True when `text` starts with a scheme ("xyz://"); http(s) URLs included. */
export function hasScheme(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
}

export function isHttpUrl(text: string): boolean {
  return /^https?:\/\//i.test(text);
}

export function parseStoreUrl(text: string): StoreUrl {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/is.exec(text);
  if (!match) {
    throw new CliError(ExitCode.BAD_STORE_URL, `${JSON.stringify(text)} is not a store URL.`, `Use ${EXAMPLES}.`);
  }
  const scheme = match[1]!.toLowerCase();
  const rest = match[2]!;
  if (!(SCHEMES as readonly string[]).includes(scheme)) {
    const hint = KNOWN_MISTAKES[scheme] ?? `Use ${EXAMPLES}.`;
    throw new CliError(ExitCode.BAD_STORE_URL, `Unknown scheme "${scheme}://" in ${JSON.stringify(text)}.`, hint);
  }
  if (scheme === 'local') {
    if (rest === '') throw new CliError(ExitCode.BAD_STORE_URL, 'local:// needs a folder: local://./data/ or local:///srv/filexfer/.');
    return { scheme: 'local', bucket: expandHome(rest), path: '', text };
  }
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '' : rest.slice(slash + 1);
  if (bucket === '') {
    throw new CliError(ExitCode.BAD_STORE_URL, `${JSON.stringify(text)} has no ${scheme === 'az' ? 'container' : 'bucket'} name.`, `Use ${scheme}://name/prefix/.`);
  }
  if (path.startsWith('/')) {
    throw new CliError(ExitCode.BAD_STORE_URL, `${JSON.stringify(text)} has "//" after the ${scheme === 'az' ? 'container' : 'bucket'}.`, 'Keys do not start with "/".');
  }
  return { scheme: scheme as Scheme, bucket, path, text };
}

/** A prefix for uploads: empty, or ending with "/". */
export function asPrefix(path: string): string {
  return path === '' || path.endsWith('/') ? path : `${path}/`;
}

/** The key a presign or download names; a usage error when there is none. */
export function requireKey(url: StoreUrl, key: string): string {
  if (key === '' || key.endsWith('/')) {
    throw new CliError(ExitCode.BAD_STORE_URL, `${JSON.stringify(url.text)} names no object.`, `Add the object key, e.g. ${url.scheme}://${url.scheme === 'local' ? 'root-folder' : 'bucket'}/path/to/file.`);
  }
  return key;
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path;
}
