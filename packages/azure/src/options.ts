/**
 * AzureAdapter options and their validation. Everything is checked at
 * construction with a message that says what to do; no network call is made
 * here (a wrong key shows up on the first request, as an `Unauthenticated`
 * error that says to check the key).
 */
import {
  AnonymousCredential,
  BlobServiceClient,
  ContainerClient,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { FileXferError } from '@filexfer/core';

/** `@azure/core-auth`'s TokenCredential, taken from the SDK's own signature so we need no extra dependency. */
export type TokenCredential = Extract<ConstructorParameters<typeof BlobServiceClient>[1], { getToken: unknown }>;

export interface AzureAdapterOptions {
  /** The container that holds the blobs (it must exist: the adapter never creates it). */
  container: string;
  /**
   * An account connection string (`DefaultEndpointsProtocol=...;AccountName=...;AccountKey=...`,
   * or `UseDevelopmentStorage=true` for Azurite). A connection string that carries only a
   * `SharedAccessSignature` is refused: the adapter must issue its own per-blob SAS URLs.
   */
  connectionString?: string;
  /** Storage account name; with `accountKey`, or with `credential` when no `endpoint` is given. */
  accountName?: string;
  /** Base64 account key (portal: Storage account > Access keys). */
  accountKey?: string;
  /**
   * A `StorageSharedKeyCredential`, or a `TokenCredential` (`@azure/identity`): with a token the
   * SAS URLs are user delegation SAS, signed with a user delegation key the adapter requests and
   * renews (the identity needs "Storage Blob Data Contributor" on the container).
   */
  credential?: StorageSharedKeyCredential | TokenCredential;
  /**
   * Blob service URL. Default `https://<accountName>.blob.core.windows.net`. For Azurite:
   * `http://127.0.0.1:10000/devstoreaccount1` (path-style, account name in the path).
   */
  endpoint?: string;
  /** A client you already have (its credential must be a shared key or a token, not a SAS). */
  client?: BlobServiceClient | ContainerClient;
  /**
   * Seconds an upload SAS stays valid. Default 900 (15 min). Upload SAS URLs are issued right
   * before each request (every part and every retry gets a fresh one), so they only need to
   * outlive one request's start; short keeps a leaked URL of little use, and 15 min still
   * tolerates a client clock up to 15 min behind the store's. The engine's own `expiresIn`
   * caps it when shorter.
   */
  sasExpiresIn?: number;
}

/** Defaults, each explained where the option is declared. */
export const DEFAULT_SAS_EXPIRES_IN = 900;
/** Presigned URLs (download URLs travel in a chat message) default to one hour unless the caller asks otherwise. */
export const DEFAULT_PRESIGN_EXPIRES_IN = 3600;
/** A user delegation key, and so any SAS signed with it, lives at most 7 days. */
export const MAX_USER_DELEGATION_SECONDS = 7 * 24 * 3600;

export type SigningCredential =
  | { kind: 'sharedKey'; credential: StorageSharedKeyCredential }
  | { kind: 'token'; credential: TokenCredential };

export interface ResolvedOptions {
  container: string;
  accountName: string;
  serviceClient: BlobServiceClient;
  containerClient: ContainerClient;
  signing: SigningCredential;
  sasExpiresIn: number;
}

function invalid(message: string): FileXferError {
  return new FileXferError('InvalidInput', message, { adapter: 'azure', operation: 'configure' });
}

// https://learn.microsoft.com/en-us/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata#container-names
const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$/;

export function validateContainerName(container: unknown): string {
  if (typeof container !== 'string' || container === '') {
    throw invalid('AzureAdapter needs `container`: the name of an existing blob container, e.g. { container: "uploads" }.');
  }
  if (container !== '$root' && container !== '$web' && !CONTAINER_NAME.test(container)) {
    throw invalid(
      `Container name "${container}" is not valid in Azure: use 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.`,
    );
  }
  return container;
}

function isSharedKey(value: unknown): value is StorageSharedKeyCredential {
  // Duck-typed so a credential from another copy of the SDK still counts.
  return (
    value instanceof StorageSharedKeyCredential ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as { accountName?: unknown }).accountName === 'string' &&
      typeof (value as { computeHMACSHA256?: unknown }).computeHMACSHA256 === 'function')
  );
}

function isToken(value: unknown): value is TokenCredential {
  return typeof value === 'object' && value !== null && typeof (value as { getToken?: unknown }).getToken === 'function';
}

function checkEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw invalid(`endpoint "${endpoint}" is not a URL: use e.g. https://myaccount.blob.core.windows.net or http://127.0.0.1:10000/devstoreaccount1.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid(`endpoint must be an http(s) URL, got "${url.protocol}".`);
  }
  if (url.search) {
    throw invalid('endpoint must not carry a query string (a SAS): give an account key or a token credential so the adapter can issue per-blob SAS URLs.');
  }
  return endpoint.replace(/\/+$/, '');
}

function checkSasExpiresIn(value: unknown): number {
  if (value === undefined) return DEFAULT_SAS_EXPIRES_IN;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_USER_DELEGATION_SECONDS) {
    throw invalid(`sasExpiresIn must be a whole number of seconds from 1 to ${MAX_USER_DELEGATION_SECONDS} (7 days); the default is ${DEFAULT_SAS_EXPIRES_IN}.`);
  }
  return value;
}

function signingOf(credential: unknown, where: string): SigningCredential {
  if (isSharedKey(credential)) return { kind: 'sharedKey', credential };
  if (isToken(credential)) return { kind: 'token', credential };
  if (credential instanceof AnonymousCredential || credential === undefined) {
    throw invalid(
      `${where} carries no account key or token (a SAS or anonymous access): the adapter issues a short-lived SAS per blob, which needs an account key (accountKey / connection string with AccountKey) or a TokenCredential for user delegation SAS.`,
    );
  }
  throw invalid(`${where}: unsupported credential type; pass a StorageSharedKeyCredential or a TokenCredential from @azure/identity.`);
}

/** Validates the options and builds the SDK clients (no network traffic). */
export function resolveOptions(options: AzureAdapterOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalid('new AzureAdapter(options) needs an options object: { container, connectionString } or { container, accountName, accountKey }.');
  }
  const container = validateContainerName(options.container);
  const sasExpiresIn = checkSasExpiresIn(options.sasExpiresIn);
  const sources = [
    options.connectionString !== undefined && 'connectionString',
    options.accountKey !== undefined && 'accountKey',
    options.credential !== undefined && 'credential',
    options.client !== undefined && 'client',
  ].filter(Boolean);
  if (sources.length === 0) {
    throw invalid(
      'AzureAdapter needs credentials: one of connectionString, accountName + accountKey, credential (with accountName or endpoint), or client. For Azurite: { connectionString: "UseDevelopmentStorage=true" }.',
    );
  }
  if (sources.length > 1) {
    throw invalid(`Give only one way to authenticate; got ${sources.join(' and ')}.`);
  }
  const endpoint = options.endpoint === undefined ? undefined : checkEndpoint(options.endpoint);

  let serviceClient: BlobServiceClient;
  let containerClient: ContainerClient | undefined;
  if (options.client !== undefined) {
    if (endpoint !== undefined) throw invalid('endpoint cannot be combined with client: the client already has its URL.');
    const client = options.client as unknown;
    if (client instanceof ContainerClient || isContainerClientLike(client)) {
      const cc = client as ContainerClient;
      if (cc.containerName !== container) {
        throw invalid(`client is a ContainerClient for "${cc.containerName}" but container is "${container}": they must match.`);
      }
      containerClient = cc;
      serviceClient = new BlobServiceClient(serviceUrlOf(cc.url, container), cc.credential);
    } else if (client instanceof BlobServiceClient || isServiceClientLike(client)) {
      serviceClient = client as BlobServiceClient;
    } else {
      throw invalid('client must be a BlobServiceClient or a ContainerClient from @azure/storage-blob.');
    }
    if (new URL(serviceClient.url).search) {
      signingOf(undefined, 'client (its URL has a SAS)');
    }
  } else if (options.connectionString !== undefined) {
    if (typeof options.connectionString !== 'string' || options.connectionString.trim() === '') {
      throw invalid('connectionString must be a non-empty string, e.g. "UseDevelopmentStorage=true" for Azurite.');
    }
    if (/(^|;)\s*SharedAccessSignature\s*=/i.test(options.connectionString) && !/(^|;)\s*AccountKey\s*=/i.test(options.connectionString)) {
      signingOf(undefined, 'connectionString (SharedAccessSignature only)');
    }
    try {
      serviceClient = BlobServiceClient.fromConnectionString(options.connectionString);
    } catch (error) {
      throw new FileXferError(
        'InvalidInput',
        `connectionString could not be read (${(error as Error).message}). Copy it from the portal (Access keys), or use "UseDevelopmentStorage=true" for Azurite.`,
        { adapter: 'azure', operation: 'configure' },
      );
    }
    if (endpoint !== undefined) {
      serviceClient = new BlobServiceClient(endpoint, serviceClient.credential);
    }
  } else if (options.accountKey !== undefined) {
    if (typeof options.accountName !== 'string' || options.accountName === '') {
      throw invalid('accountKey needs accountName too: { accountName: "myaccount", accountKey: "..." }.');
    }
    if (typeof options.accountKey !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(options.accountKey)) {
      throw invalid('accountKey must be the base64 key shown under Storage account > Access keys (key1 or key2).');
    }
    const credential = new StorageSharedKeyCredential(options.accountName, options.accountKey);
    serviceClient = new BlobServiceClient(endpoint ?? `https://${options.accountName}.blob.core.windows.net`, credential);
  } else {
    const credential = options.credential;
    signingOf(credential, 'credential');
    const accountName = options.accountName ?? (isSharedKey(credential) ? credential.accountName : undefined);
    if (endpoint === undefined && (accountName === undefined || accountName === '')) {
      throw invalid('credential needs accountName or endpoint to know which storage account to talk to.');
    }
    serviceClient = new BlobServiceClient(endpoint ?? `https://${accountName}.blob.core.windows.net`, credential);
  }

  const signing = signingOf(serviceClient.credential, options.client !== undefined ? 'client' : 'the credentials');
  containerClient ??= serviceClient.getContainerClient(container);
  const accountName =
    signing.kind === 'sharedKey' ? signing.credential.accountName : (options.accountName ?? serviceClient.accountName);
  if (!accountName) {
    throw invalid('Could not tell the storage account name from the endpoint: pass accountName.');
  }
  if (signing.kind === 'sharedKey' && options.accountName !== undefined && options.accountName !== accountName) {
    throw invalid(`accountName "${options.accountName}" does not match the credential's account "${accountName}".`);
  }
  return { container, accountName, serviceClient, containerClient, signing, sasExpiresIn };
}

function isContainerClientLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { containerName?: unknown }).containerName === 'string' && typeof (value as { getBlockBlobClient?: unknown }).getBlockBlobClient === 'function';
}

function isServiceClientLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { getContainerClient?: unknown }).getContainerClient === 'function';
}

/** The service URL a ContainerClient lives under (strip "/<container>" and any query). */
function serviceUrlOf(containerUrl: string, container: string): string {
  const url = new URL(containerUrl);
  url.search = '';
  const suffix = `/${encodeURIComponent(container)}`;
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith(suffix) ? path.slice(0, -suffix.length) : path;
  return url.toString().replace(/\/+$/, '');
}
