/**
 * AzureAdapter: the StorageAdapter for Azure Blob Storage (and Azurite).
 * Bytes travel only over SAS URLs scoped to one blob with the least
 * permissions (create+write to upload, read to download); the SDK client is
 * used for the small control calls (commit, block list, properties, delete).
 */
import type { BlockBlobClient } from '@azure/storage-blob';
import {
  FileXferError,
  type AdapterCapabilities,
  type Checksums,
  type CreateUploadInput,
  type FileXferErrorCode,
  type ObjectInfo,
  type PartsUpload,
  type PresignOptions,
  type SignedRequest,
  type StorageAdapter,
  type StoreResponse,
  type UploadPlan,
  type UploadState,
} from '@filexfer/core';
import { BlockUpload, type AzureUploadState, type SessionContext } from './blockUpload.js';
import { MAX_BLOB_SIZE, MAX_BLOCKS, isUploadId, newUploadId, partCount, settlePartSize } from './blocks.js';
import { classifyResponse, fromSdkError, type ErrorContext } from './errors.js';
import {
  DEFAULT_PRESIGN_EXPIRES_IN,
  MAX_USER_DELEGATION_SECONDS,
  resolveOptions,
  type AzureAdapterOptions,
  type ResolvedOptions,
} from './options.js';
import { SasIssuer, STORAGE_VERSION, type SasPermissions } from './sas.js';

/** Metadata name the whole-object CRC32C is stored under (header `x-ms-meta-crc32c`). */
export const CRC32C_METADATA = 'crc32c';

// Metadata names must be C# identifiers; values travel as HTTP headers (ASCII).
// https://learn.microsoft.com/en-us/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata#metadata-names
const METADATA_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const METADATA_VALUE = /^[\x20-\x7e]*$/;

export class AzureAdapter implements StorageAdapter {
  readonly name = 'azure';
  readonly capabilities: AdapterCapabilities = {
    checksSignatures: true,
    parallelParts: true,
    minPartSize: 1,
    partSizeMultiple: 1,
    maxParts: MAX_BLOCKS,
    resumableUploads: true,
  };
  protected readonly options: ResolvedOptions;
  private readonly sas: SasIssuer;

  constructor(options: AzureAdapterOptions) {
    this.options = resolveOptions(options);
    const https = new URL(this.options.serviceClient.url).protocol === 'https:';
    this.sas = new SasIssuer(this.options.signing, this.options.accountName, this.options.serviceClient, https);
  }

  get container(): string {
    return this.options.container;
  }

  get accountName(): string {
    return this.options.accountName;
  }

  // ---- signing -------------------------------------------------------------

  /** The blob's URL without any query (the SDK escapes the name, keeping '/'). */
  protected blobUrl(key: string): string {
    const url = new URL(this.blockBlob(key).url);
    url.search = '';
    return url.toString();
  }

  /** The blob's URL with a fresh SAS for exactly this blob and these permissions. */
  protected async signedUrl(key: string, permissions: SasPermissions, expiresIn: number): Promise<string> {
    checkKey(key);
    const sas = await this.sas.issue({ container: this.container, blob: key, permissions, expiresIn });
    return `${this.blobUrl(key)}?${sas}`;
  }

  protected blockBlob(key: string): BlockBlobClient {
    return this.options.containerClient.getBlockBlobClient(key);
  }

  private errorContext(url?: string): ErrorContext {
    return { container: this.container, accountName: this.accountName, url };
  }

  private checkExpiresIn(value: number | undefined, fallback: number, operation: string): number {
    const seconds = value ?? fallback;
    const max = this.options.signing.kind === 'token' ? MAX_USER_DELEGATION_SECONDS : Number.MAX_SAFE_INTEGER / 1000;
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > max) {
      throw new FileXferError(
        'InvalidInput',
        `expiresIn must be a whole number of seconds from 1${this.options.signing.kind === 'token' ? ' to 604800 (7 days, the longest a user delegation SAS lives)' : ''}; got ${value}.`,
        { adapter: 'azure', operation },
      );
    }
    return seconds;
  }

  // ---- uploads -------------------------------------------------------------

  async createUpload(input: CreateUploadInput): Promise<UploadPlan> {
    checkKey(input.key);
    if (!Number.isSafeInteger(input.size) || input.size < 0) {
      throw new FileXferError('InvalidInput', `size must be a whole number of bytes, got ${input.size}.`, { adapter: 'azure', operation: 'createUpload', key: input.key });
    }
    if (input.size > MAX_BLOB_SIZE) {
      throw new FileXferError('TooLarge', `${input.size} bytes is more than the largest block blob Azure holds (${MAX_BLOB_SIZE} bytes).`, { adapter: 'azure', operation: 'createUpload', key: input.key });
    }
    if (!Number.isFinite(input.partSize) || input.partSize < 1) {
      throw new FileXferError('InvalidInput', `partSize must be a positive number of bytes, got ${input.partSize}.`, { adapter: 'azure', operation: 'createUpload', key: input.key });
    }
    const metadata = checkMetadata(input.metadata, input.key);
    const lifetime = Math.min(this.options.sasExpiresIn, this.checkExpiresIn(input.expiresIn, this.options.sasExpiresIn, 'createUpload'));
    const partSize = settlePartSize(input.size, input.partSize);
    if (input.size <= partSize) return this.singleUpload(input, metadata, lifetime);
    const state: AzureUploadState = {
      adapter: 'azure',
      key: input.key,
      size: input.size,
      partSize,
      container: this.container,
      uploadId: newUploadId(),
      ...(input.contentType ? { contentType: input.contentType } : {}),
      ...(metadata ? { metadata } : {}),
    };
    return new BlockUpload(state, this.sessionContext(lifetime));
  }

  /** One Put Blob with Content-MD5 (Azure checks it) and the CRC32C in metadata. */
  private singleUpload(input: CreateUploadInput, metadata: Record<string, string> | undefined, lifetime: number): UploadPlan {
    return {
      kind: 'single',
      wantsMd5: true,
      sign: async (checksums: Checksums): Promise<SignedRequest> => {
        const headers: Record<string, string> = {
          'x-ms-blob-type': 'BlockBlob',
          'x-ms-version': STORAGE_VERSION,
          'x-ms-blob-content-type': input.contentType ?? 'application/octet-stream',
          [`x-ms-meta-${CRC32C_METADATA}`]: checksums.crc32c,
        };
        if (checksums.md5) headers['content-md5'] = checksums.md5;
        for (const [name, value] of Object.entries(metadata ?? {})) headers[`x-ms-meta-${name}`] = value;
        return { method: 'PUT', url: await this.signedUrl(input.key, 'cw', lifetime), headers };
      },
      verify: (response: StoreResponse, checksums: Checksums): void => {
        const echoed = response.headers['content-md5'];
        if (echoed && checksums.md5 && echoed !== checksums.md5) {
          throw new FileXferError('ChecksumMismatch', `Azure stored the blob with MD5 ${echoed}, not the ${checksums.md5} that was sent.`, {
            adapter: 'azure',
            operation: 'upload',
            key: input.key,
          });
        }
      },
    };
  }

  private sessionContext(lifetime: number): SessionContext {
    return {
      uploadUrl: (key) => this.signedUrl(key, 'cw', lifetime),
      blockBlob: (key) => this.blockBlob(key),
      errorContext: () => this.errorContext(),
    };
  }

  async resumeUpload(state: UploadState): Promise<PartsUpload> {
    const s = state as Partial<AzureUploadState>;
    const bad = (why: string) => new FileXferError('InvalidInput', `Cannot resume this upload: ${why}.`, { adapter: 'azure', operation: 'resumeUpload', key: s.key });
    if (s.adapter !== 'azure') throw bad(`its state is for the "${String(s.adapter)}" adapter`);
    if (s.container !== this.container) throw bad(`it was started in container "${String(s.container)}", this adapter uses "${this.container}"`);
    if (!isUploadId(s.uploadId)) throw bad('its uploadId is missing or malformed');
    if (typeof s.key !== 'string') throw bad('its key is missing');
    checkKey(s.key);
    if (!Number.isSafeInteger(s.size) || !Number.isSafeInteger(s.partSize) || (s.partSize as number) < 1 || (s.size as number) <= (s.partSize as number)) {
      throw bad('its size / partSize are not those of a block upload');
    }
    if (partCount(s.size as number, s.partSize as number) > MAX_BLOCKS) throw bad(`it needs more than ${MAX_BLOCKS} blocks`);
    const metadata = checkMetadata(s.metadata, s.key);
    const full: AzureUploadState = {
      adapter: 'azure',
      key: s.key,
      size: s.size as number,
      partSize: s.partSize as number,
      container: this.container,
      uploadId: s.uploadId,
      ...(typeof s.contentType === 'string' ? { contentType: s.contentType } : {}),
      ...(metadata ? { metadata } : {}),
    };
    return new BlockUpload(full, this.sessionContext(this.options.sasExpiresIn));
  }

  // ---- downloads and single requests --------------------------------------

  async presignDownload(key: string, options: PresignOptions = {}): Promise<string> {
    return this.signedUrl(key, 'r', this.checkExpiresIn(options.expiresIn, DEFAULT_PRESIGN_EXPIRES_IN, 'presignDownload'));
  }

  async presignUpload(key: string, options: PresignOptions & { contentType?: string } = {}): Promise<SignedRequest> {
    const expiresIn = this.checkExpiresIn(options.expiresIn, DEFAULT_PRESIGN_EXPIRES_IN, 'presignUpload');
    return {
      method: 'PUT',
      url: await this.signedUrl(key, 'cw', expiresIn),
      headers: {
        'x-ms-blob-type': 'BlockBlob',
        'x-ms-version': STORAGE_VERSION,
        'x-ms-blob-content-type': options.contentType ?? 'application/octet-stream',
      },
    };
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    checkKey(key);
    try {
      const p = await this.blockBlob(key).getProperties();
      return {
        key,
        size: p.contentLength ?? 0,
        etag: p.etag,
        contentType: p.contentType,
        crc32c: p.metadata?.[CRC32C_METADATA],
        md5: p.contentMD5 ? Buffer.from(p.contentMD5).toString('base64') : undefined,
        lastModified: p.lastModified,
      };
    } catch (error) {
      if (isMissingBlob(error)) return null;
      throw fromSdkError(error, 'stat', key, this.errorContext());
    }
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    try {
      await this.blockBlob(key).deleteIfExists({ deleteSnapshots: 'include' });
    } catch (error) {
      if (isMissingBlob(error)) return;
      throw fromSdkError(error, 'delete', key, this.errorContext());
    }
  }

  // ---- reading the store's replies ----------------------------------------

  /**
   * `request` is the request that got this reply, when the engine passes it:
   * Azurite answers an expired SAS exactly like a bad signature, so the SAS
   * expiry (`se=`) in the URL is the only way to tell them apart there.
   */
  classifyError(response: StoreResponse, request?: SignedRequest): { code: FileXferErrorCode; message: string } | undefined {
    return classifyResponse(response, this.errorContext(request?.url));
  }

  /**
   * Whole-object checksums in a GET reply, for the engine to compare with the
   * whole file it ends up with: our CRC32C metadata (`x-ms-meta-crc32c`, sent
   * with every reply, ranged or not), and the blob's MD5 (`Content-MD5` on a
   * full reply; `x-ms-blob-content-md5` on a ranged one, where `Content-MD5`
   * would describe only the range). Both describe the whole blob even in a
   * 206, which is what lets a download resumed with Range still be verified.
   * https://learn.microsoft.com/en-us/rest/api/storageservices/get-blob#response-headers
   */
  checksumsFromResponse(response: StoreResponse): { crc32c?: string; md5?: string } {
    const h = response.headers;
    if (response.status !== 200 && response.status !== 206) return {};
    const out: { crc32c?: string; md5?: string } = {};
    const md5 = response.status === 200 ? h['content-md5'] : h['x-ms-blob-content-md5'];
    if (md5) out.md5 = md5;
    const crc = h[`x-ms-meta-${CRC32C_METADATA}`];
    if (crc) out.crc32c = crc;
    return out;
  }

  async close(): Promise<void> {
    // The SDK keeps no sockets we own (it uses Node's shared keep-alive agent); nothing to release.
  }
}

function checkKey(key: unknown): asserts key is string {
  // https://learn.microsoft.com/en-us/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata#blob-names
  if (typeof key !== 'string' || key.length === 0 || key.length > 1024) {
    throw new FileXferError('InvalidInput', 'A blob name must be 1 to 1024 characters.', { adapter: 'azure', operation: 'sign' });
  }
}

function checkMetadata(metadata: unknown, key: string): Record<string, string> | undefined {
  if (metadata === undefined || metadata === null) return undefined;
  const bad = (why: string) => new FileXferError('InvalidInput', `metadata ${why}.`, { adapter: 'azure', operation: 'createUpload', key });
  if (typeof metadata !== 'object') throw bad('must be an object of string values');
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata as Record<string, unknown>)) {
    if (!METADATA_NAME.test(name)) throw bad(`name "${name}" is not allowed by Azure: use letters, digits and underscores, not starting with a digit`);
    if (name.toLowerCase() === CRC32C_METADATA) throw bad(`name "${name}" is reserved: the adapter stores the file's CRC32C under it`);
    if (typeof value !== 'string' || !METADATA_VALUE.test(value)) {
      throw bad(`"${name}" must be a printable ASCII string (encode other text, e.g. with encodeURIComponent)`);
    }
    out[name] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function isMissingBlob(error: unknown): boolean {
  const e = error as { statusCode?: number; details?: { errorCode?: string }; code?: string };
  return e?.statusCode === 404 && (e.details?.errorCode ?? e.code) !== 'ContainerNotFound';
}
