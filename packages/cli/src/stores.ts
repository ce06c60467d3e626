/**
 * One adapter per store URL scheme. The cloud adapters are imported lazily
 * (`import()` of a computed name), so `local://` and shared URLs work even where
 * a cloud SDK is not installed, and this package builds before they do.
 * Credentials and endpoints come from each SDK's standard environment and
 * files, then from flags; flags win:
 *   s3://  AWS_PROFILE, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN,
 *          ~/.aws/{config,credentials}, AWS_REGION, AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL;
 *          --profile, --region, --endpoint, --path-style
 *   gs://  GOOGLE_APPLICATION_CREDENTIALS (or gcloud's application default credentials),
 *          GOOGLE_CLOUD_PROJECT, STORAGE_EMULATOR_HOST; --key-file, --project, --endpoint
 *   az://  AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_ACCOUNT + AZURE_STORAGE_KEY;
 *          --connection-string, --account-name, --endpoint
 *   local:// see local-store.ts
 */
import type { StorageAdapter } from '@filexfer/core';
import { CliError, ExitCode } from './exit-codes.js';
import { checkServer, locateLocal, localEndpoint, readSecret } from './local-store.js';
import { asPrefix, requireKey, type Scheme, type StoreUrl } from './store-url.js';

export interface StoreFlags {
  endpoint?: string;
  region?: string;
  profile?: string;
  pathStyle?: boolean;
  keyFile?: string;
  project?: string;
  connectionString?: string;
  accountName?: string;
  secretFile?: string;
}

export interface OpenedStore {
  adapter: StorageAdapter;
  /** For uploads: the prefix keys go under ("" or ending with "/"). For presign/download: the object key. */
  path: string;
  /** For local:// only: the store root, for messages. */
  root?: string;
}

export interface OpenOptions {
  /** 'prefix' for `upload --to`, 'key' for presign and download. */
  want: 'prefix' | 'key';
  /** Check that the store answers before going on (local: the server is running). */
  needsServer: boolean;
  env?: NodeJS.ProcessEnv;
}

export async function openStore(url: StoreUrl, flags: StoreFlags, options: OpenOptions): Promise<OpenedStore> {
  const env = options.env ?? process.env;
  const finish = (path: string) => (options.want === 'key' ? requireKey(url, path) : asPrefix(path));
  switch (url.scheme) {
    case 'local': {
      const target = await locateLocal(url.bucket, options.want === 'key');
      const path = finish(target.path);
      const endpoint = await localEndpoint(target.root, flags, env);
      const secret = await readSecret(target.root, flags, env);
      if (options.needsServer) await checkServer(endpoint, target.root);
      const { LocalAdapter } = await import('@filexfer/local');
      return { adapter: new LocalAdapter({ endpoint, secret }), path, root: target.root };
    }
    case 's3': {
      const path = finish(url.path);
      if (flags.profile) env.AWS_PROFILE = flags.profile; // the SDK's shared-config chain reads it
      const endpoint = flags.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
      const region = flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
      const { S3Adapter } = await load<{ S3Adapter: new (o: S3Options) => StorageAdapter }>('s3', 'S3Adapter');
      return { adapter: new S3Adapter({ bucket: url.bucket, ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}), ...(flags.pathStyle ? { forcePathStyle: true } : {}) }), path };
    }
    case 'gs': {
      const path = finish(url.path);
      const emulator = env.STORAGE_EMULATOR_HOST;
      const apiEndpoint = flags.endpoint ?? (emulator ? (/^https?:\/\//.test(emulator) ? emulator : `http://${emulator}`) : undefined);
      const keyFilename = flags.keyFile ?? undefined; // else the SDK reads GOOGLE_APPLICATION_CREDENTIALS itself
      const projectId = flags.project ?? env.GOOGLE_CLOUD_PROJECT ?? env.GCLOUD_PROJECT;
      const { GcsAdapter } = await load<{ GcsAdapter: new (o: GcsOptions) => StorageAdapter }>('gcs', 'GcsAdapter');
      return { adapter: new GcsAdapter({ bucket: url.bucket, ...(apiEndpoint ? { apiEndpoint } : {}), ...(keyFilename ? { keyFilename } : {}), ...(projectId ? { projectId } : {}) }), path };
    }
    case 'az': {
      const path = finish(url.path);
      const connectionString = flags.connectionString ?? env.AZURE_STORAGE_CONNECTION_STRING;
      const accountName = flags.accountName ?? env.AZURE_STORAGE_ACCOUNT;
      const accountKey = env.AZURE_STORAGE_KEY;
      const { AzureAdapter } = await load<{ AzureAdapter: new (o: AzureOptions) => StorageAdapter }>('azure', 'AzureAdapter');
      if (connectionString) return { adapter: new AzureAdapter({ container: url.bucket, connectionString }), path };
      if (accountName && accountKey) {
        return { adapter: new AzureAdapter({ container: url.bucket, accountName, accountKey, ...(flags.endpoint ? { endpoint: flags.endpoint } : {}) }), path };
      }
      throw new CliError(
        ExitCode.CREDENTIALS,
        'No Azure Storage credentials found.',
        'Set AZURE_STORAGE_CONNECTION_STRING (or AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY), or pass --connection-string. For Azurite: AZURE_STORAGE_CONNECTION_STRING=UseDevelopmentStorage=true',
      );
    }
  }
}

// The option shapes this command passes, mirrored here so the CLI builds
// without the cloud packages' types (they are imported by a computed name).
interface S3Options {
  bucket: string;
  region?: string;
  endpoint?: string;
  forcePathStyle?: boolean;
}
interface GcsOptions {
  bucket: string;
  projectId?: string;
  apiEndpoint?: string;
  keyFilename?: string;
}
interface AzureOptions {
  container: string;
  connectionString?: string;
  accountName?: string;
  accountKey?: string;
  endpoint?: string;
}

const PACKAGES: Record<Exclude<Scheme, 'local'>, string> = { s3: '@filexfer/s3', gs: '@filexfer/gcs', az: '@filexfer/azure' };

async function load<T>(store: 's3' | 'gcs' | 'azure', exportName: string): Promise<T> {
  const name = PACKAGES[store === 'gcs' ? 'gs' : store === 'azure' ? 'az' : 's3'];
  let mod: Record<string, unknown>;
  try {
    mod = (await import(name)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new CliError(ExitCode.FAILURE, `The ${store} store needs ${name}, which is not installed.`, `Install it next to the CLI: npm install ${name}`);
    }
    throw error;
  }
  if (typeof mod[exportName] !== 'function') {
    throw new CliError(ExitCode.FAILURE, `${name} here has no ${exportName}: this build of filexfer cannot reach ${store} stores yet.`, `Update ${name}.`);
  }
  return mod as T;
}
