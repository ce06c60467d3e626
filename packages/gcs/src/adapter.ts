/**
 * GcsAdapter: Google Cloud Storage over V4 signed URLs. It only signs; the
 * engine in core sends the bytes.
 * - Up to the part size: one signed PUT with `x-goog-hash` (CRC32C + MD5), which GCS checks.
 * - Above it: a resumable session started from a signed POST
 *   (`x-goog-resumable: start`); the engine PUTs chunks of a multiple of
 *   256 KiB, in order, to the session URI (which needs no signature), and
 *   reads 308 + Range after each. https://cloud.google.com/storage/docs/performing-resumable-uploads
 * - Every upload is compared with the object's stored CRC32C/MD5 afterwards,
 *   and deleted if they differ.
 */
import {
  FileXferError,
  redact,
  type AdapterCapabilities,
  type Checksums,
  type CompletedPart,
  type CreateUploadInput,
  type ObjectInfo,
  type PartResult,
  type PartSpec,
  type PartsUpload,
  type PresignOptions,
  type SignedRequest,
  type SingleUpload,
  type StorageAdapter,
  type StoreResponse,
  type UploadPlan,
  type UploadState,
} from '@filexfer/core';
import { CrcChain } from './crc-chain.js';
import { checksumsFromGcsResponse, classifyGcsError, gcsError, parseErrorBody, parseGoogHash } from './errors.js';
import { objectInfoFromReply, STAT_RANGE } from './objects.js';
import { checkMetadata, checkObjectKey, HOW_TO_KEY, invalid, resolveOptions, type GcsAdapterOptions } from './options.js';
import { cancelSession, controlError, persistedFromRange, querySession, sendControl } from './session.js';
import { createSigner, type SignMethod, type UrlSigner } from './signer.js';

/** Resumable chunks must be a multiple of 256 KiB, except the last. */
export const GCS_CHUNK_MULTIPLE = 256 * 1024;
/** The largest object GCS stores: 5 TiB. https://cloud.google.com/storage/quotas#objects */
const MAX_OBJECT_SIZE = 5 * 1024 ** 4;
/** V4 signed URLs live at most 7 days. https://cloud.google.com/storage/docs/access-control/signed-urls */
const MAX_EXPIRES = 7 * 24 * 3600;

/** What `PartsUpload.state` holds for GCS: enough to find the session again from another process. */
export interface GcsUploadState extends UploadState {
  adapter: 'gcs';
  bucket: string;
  /** The resumable session URI. Anyone holding it can write this one object for a week: keep the journal private. */
  sessionUri: string;
  expiresIn: number;
  contentType?: string;
  metadata?: Record<string, string>;
}

export class GcsAdapter implements StorageAdapter {
  readonly name = 'gcs';
  readonly capabilities: AdapterCapabilities;
  readonly bucketName: string;
  /** True when talking to fake-gcs-server (see GcsAdapterOptions.emulator). */
  readonly emulator: boolean;
  /** The origin signed URLs point at. */
  readonly endpoint: string;
  private readonly signer: UrlSigner;
  private readonly timeoutMs: number;
  private bucketCheck: Promise<void> | undefined;

  constructor(options: GcsAdapterOptions) {
    const resolved = resolveOptions(options);
    this.bucketName = resolved.bucket;
    this.emulator = resolved.emulator;
    this.timeoutMs = resolved.requestTimeoutMs;
    this.signer = createSigner(resolved);
    this.endpoint = this.signer.endpoint;
    this.capabilities = {
      // fake-gcs-server checks no signature and no expiry.
      checksSignatures: !this.emulator,
      // A resumable session takes its bytes in order.
      parallelParts: false,
      minPartSize: GCS_CHUNK_MULTIPLE,
      partSizeMultiple: GCS_CHUNK_MULTIPLE,
      // A session has no limit on its number of chunks.
      maxParts: Number.MAX_SAFE_INTEGER,
      // fake-gcs-server finalises a session when asked its offset, so there
      // resume restarts the session instead of continuing it.
      resumableUploads: !this.emulator,
    };
  }

  async createUpload(input: CreateUploadInput): Promise<UploadPlan> {
    const key = checkObjectKey(input.key, 'upload');
    if (!Number.isSafeInteger(input.size) || input.size < 0) throw invalid(`upload of "${key}": size must be a whole number of bytes, got ${input.size}.`);
    if (input.size > MAX_OBJECT_SIZE) {
      throw gcsError('TooLarge', `upload of "${key}": ${input.size} bytes is more than the 5 TiB GCS stores in one object.`, 'upload', key, { retryable: false });
    }
    if (!Number.isSafeInteger(input.partSize) || input.partSize <= 0) throw invalid(`upload of "${key}": partSize must be a positive whole number of bytes.`);
    checkExpires(input.expiresIn);
    const metadataHeaders = checkMetadata(input.metadata);
    await this.ensureBucket(key);
    if (input.size <= input.partSize) return this.singlePlan(key, input, metadataHeaders);
    const partSize = Math.ceil(input.partSize / GCS_CHUNK_MULTIPLE) * GCS_CHUNK_MULTIPLE;
    const state: GcsUploadState = {
      adapter: 'gcs',
      bucket: this.bucketName,
      key,
      size: input.size,
      partSize,
      expiresIn: input.expiresIn,
      sessionUri: '',
      ...(input.contentType ? { contentType: input.contentType } : {}),
      ...(input.metadata && Object.keys(input.metadata).length > 0 ? { metadata: { ...input.metadata } } : {}),
    };
    state.sessionUri = await this.startSession(state);
    return this.partsPlan(state, 0);
  }

  async resumeUpload(raw: UploadState): Promise<PartsUpload> {
    const state = this.checkState(raw);
    if (this.emulator) {
      // fake-gcs-server treats the status query `Content-Range: bytes */SIZE` as
      // the end of the upload and publishes what it holds (fakestorage/upload.go,
      // uploadFileContent: commit stays true for a range without bytes). Asking
      // would publish a partial object, so on the emulator resume starts over.
      await cancelSession(state.sessionUri, this.timeoutMs, state.key).catch(() => undefined);
      return this.partsPlan(await this.restartSession(state), 0);
    }
    const status = await querySession(state.sessionUri, state.size, this.timeoutMs, state.key);
    if (status.state === 'gone') {
      // 404/410: the session expired (GCS keeps one for a week) or failed for
      // good; 499: it was cancelled. It holds no visible object and nothing of
      // it can be reused, so a fresh session for the same key starts at byte 0.
      // The plan returned carries the new session URI in its state, which the
      // engine journals (onState) before it sends anything, so a crash after
      // this point resumes the new session, not the dead one.
      return this.partsPlan(await this.restartSession(state), 0);
    }
    return this.partsPlan(state, status.state === 'complete' ? state.size : status.persisted);
  }

  async presignDownload(key: string, options: PresignOptions = {}): Promise<string> {
    checkObjectKey(key, 'presign download');
    return this.signUrl(key, 'presign download', 'GET', options.expiresIn ?? 3600);
  }

  async presignUpload(key: string, options: PresignOptions & { contentType?: string } = {}): Promise<SignedRequest> {
    checkObjectKey(key, 'presign upload');
    const headers: Record<string, string> = options.contentType ? { 'content-type': options.contentType } : {};
    const url = await this.signUrl(key, 'presign upload', 'PUT', options.expiresIn ?? 3600, headers);
    return { method: 'PUT', url, headers };
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    checkObjectKey(key, 'stat');
    const url = await this.signUrl(key, 'stat', 'GET', 300);
    const response = await sendControl({ method: 'GET', url, headers: { range: STAT_RANGE }, timeoutMs: this.timeoutMs, operation: 'stat', key });
    const info = objectInfoFromReply(key, response);
    if (info) return info;
    if (response.status === 404 && parseErrorBody(response.bodyText).code !== 'NoSuchBucket') return null;
    throw controlError(response, 'stat', key, 'Could not read the object\'s metadata.');
  }

  async delete(key: string): Promise<void> {
    checkObjectKey(key, 'delete');
    const url = await this.signUrl(key, 'delete', 'DELETE', 300);
    const response = await sendControl({ method: 'DELETE', url, timeoutMs: this.timeoutMs, operation: 'delete', key });
    if ((response.status >= 200 && response.status < 300) || response.status === 404) return;
    throw controlError(response, 'delete', key, 'The object was not deleted.');
  }

  classifyError(response: StoreResponse) {
    return classifyGcsError(response);
  }

  checksumsFromResponse(response: StoreResponse) {
    return checksumsFromGcsResponse(response);
  }

  async close(): Promise<void> {
    // The SDK keeps no sockets open between calls, and the adapter's control
    // requests use fetch's shared pool: nothing to release.
  }

  // --- single PUT -------------------------------------------------------------

  private singlePlan(key: string, input: CreateUploadInput, metadataHeaders: Record<string, string>): SingleUpload {
    return {
      kind: 'single',
      wantsMd5: true,
      sign: async (checksums) => {
        // x-goog-hash is signed too, so the URL only accepts these exact bytes,
        // and GCS rejects the PUT with 400 BadDigest if they arrive changed.
        const headers: Record<string, string> = { ...metadataHeaders, 'x-goog-hash': googHash(checksums) };
        if (input.contentType) headers['content-type'] = input.contentType;
        const url = await this.signUrl(key, 'upload', 'PUT', input.expiresIn, headers);
        return { method: 'PUT', url, headers };
      },
      verify: async (response, checksums) => {
        await this.verifyStored(key, response.headers, { size: input.size, ...checksums }, 'upload');
      },
    };
  }

  // --- resumable session ------------------------------------------------------

  /**
   * POSTs to a signed URL with `x-goog-resumable: start`; the reply's Location
   * is the session URI. https://cloud.google.com/storage/docs/xml-api/resumable-upload
   */
  private async startSession(state: GcsUploadState): Promise<string> {
    const key = state.key;
    const metadataHeaders = checkMetadata(state.metadata);
    const headers: Record<string, string> = { 'x-goog-resumable': 'start', ...metadataHeaders };
    if (state.contentType) headers['content-type'] = state.contentType;
    let body: string | undefined;
    if (this.emulator) {
      // fake-gcs-server ignores the object path and headers of a signed POST and
      // takes the name, content type and metadata from a JSON body
      // (fakestorage/upload.go, resumableUpload). GCS wants an empty body.
      body = JSON.stringify({ name: key, contentType: state.contentType, metadata: state.metadata });
      headers['content-type'] = 'application/json';
    }
    const url = await this.signUrl(key, 'start upload', 'POST', state.expiresIn, headers);
    const response = await sendControl({ method: 'POST', url, headers, body, timeoutMs: this.timeoutMs, operation: 'start upload', key });
    if (response.status !== 200 && response.status !== 201) {
      if (response.status === 404 && !classifyGcsError(response)) throw this.noBucket(key);
      throw controlError(response, 'start upload', key, 'Could not start a resumable upload session.');
    }
    const location = response.headers.location;
    if (!location || !/^https?:\/\//.test(location)) {
      throw gcsError('Unknown', `start upload of "${key}": GCS answered ${response.status} without a session URI (Location header).`, 'start upload', key, { status: response.status });
    }
    return location;
  }

  private async restartSession(state: GcsUploadState): Promise<GcsUploadState> {
    const fresh: GcsUploadState = { ...state, sessionUri: '' };
    fresh.sessionUri = await this.startSession(fresh);
    return fresh;
  }

  /** `known`: the persisted offset already learnt (0 for a new session), so the first listParts() asks nothing. */
  private partsPlan(state: GcsUploadState, known: number | undefined): PartsUpload {
    const chain = new CrcChain();
    let persistedKnown = known;
    return {
      kind: 'parts',
      partSize: state.partSize,
      parallel: false,
      // CRC32C is what GCS recommends and checks on the last chunk; MD5 cannot
      // be combined from parts, and hashing it twice per byte costs throughput.
      wantsMd5: false,
      state,
      signPart: async (part: PartSpec, checksums: Checksums): Promise<SignedRequest> => {
        chain.add(part.offset, part.size, checksums.crc32c);
        const headers: Record<string, string> = {
          'content-range': part.size === 0 ? `bytes */${state.size}` : `bytes ${part.offset}-${part.offset + part.size - 1}/${state.size}`,
        };
        if (part.isLast) {
          // The whole object's CRC32C with the last chunk: GCS refuses to
          // finalise (400) when the object it assembled differs.
          const whole = chain.wholeUpTo(part.offset + part.size);
          if (whole) headers['x-goog-hash'] = `crc32c=${whole}`;
        }
        return { method: 'PUT', url: state.sessionUri, headers };
      },
      readPart: (part: PartSpec, _checksums: Checksums, response: StoreResponse): PartResult => readChunkReply(state, part, response),
      complete: async (_parts: CompletedPart[], summary) => this.verifyStored(state.key, undefined, summary, 'complete upload'),
      abort: async () => cancelSession(state.sessionUri, this.timeoutMs, state.key),
      listParts: async (): Promise<CompletedPart[]> => {
        let persisted = persistedKnown;
        persistedKnown = undefined;
        if (persisted === undefined) {
          if (this.emulator) {
            // See resumeUpload: asking fake-gcs-server would finalise the session.
            throw gcsError('Unavailable', `fake-gcs-server cannot report how much of "${state.key}" it holds; resume the upload with resumeUpload(state), which restarts it.`, 'resume upload', state.key, { retryable: false });
          }
          const status = await querySession(state.sessionUri, state.size, this.timeoutMs, state.key);
          if (status.state === 'gone') {
            throw gcsError('NotFound', `The resumable session of "${state.key}" is gone (GCS answered ${status.status}); resume with resumeUpload(state), which starts a fresh session.`, 'resume upload', state.key, { status: status.status, retryable: false });
          }
          persisted = status.state === 'complete' ? state.size : status.persisted;
        }
        return [{ partNumber: 0, size: persisted }];
      },
    };
  }

  // --- shared -----------------------------------------------------------------

  /**
   * Compares what GCS stored with what the engine sent: from the reply's
   * x-goog-hash when GCS sent one, else from the object's metadata. On a
   * mismatch the object is deleted, so no wrong bytes stay visible.
   */
  private async verifyStored(key: string, replyHeaders: Record<string, string> | undefined, expected: { size: number; crc32c: string; md5?: string }, operation: string): Promise<ObjectInfo> {
    const fromReply = parseGoogHash(replyHeaders?.['x-goog-hash']);
    let info: ObjectInfo;
    if (fromReply.crc32c) {
      info = { key, size: expected.size, crc32c: fromReply.crc32c, md5: fromReply.md5, etag: replyHeaders?.etag?.replace(/^"|"$/g, '') };
    } else {
      const stored = await this.stat(key);
      if (!stored) throw gcsError('NotFound', `${operation} of "${key}": GCS accepted the upload but has no such object now; it may have been deleted at once. Upload it again.`, operation, key);
      info = stored;
    }
    const problems: string[] = [];
    if (info.size !== expected.size) problems.push(`size ${info.size}, sent ${expected.size}`);
    if (!info.crc32c) problems.push('GCS reported no CRC32C');
    else if (info.crc32c !== expected.crc32c) problems.push(`CRC32C ${info.crc32c}, sent ${expected.crc32c}`);
    if (expected.md5 && info.md5 && info.md5 !== expected.md5) problems.push(`MD5 ${info.md5}, sent ${expected.md5}`);
    if (problems.length > 0) {
      await this.delete(key).catch(() => undefined);
      throw gcsError('ChecksumMismatch', `${operation} of "${key}": the stored object differs from the bytes sent (${problems.join('; ')}); it was deleted. Upload the file again.`, operation, key, { retryable: false });
    }
    return info;
  }

  /** A V4 signed URL for `method` on the object, covering `headers` (which the request must then carry). */
  private async signUrl(key: string, operation: string, method: SignMethod, expiresIn: number, headers: Record<string, string> = {}): Promise<string> {
    checkExpires(expiresIn);
    try {
      return await this.signer.sign({ method, bucket: this.bucketName, key, expiresIn, headers });
    } catch (error) {
      throw gcsError('Unauthenticated', `${operation} of "${key}": could not sign a GCS URL (${redact(errorText(error))}). ${HOW_TO_KEY}`, operation, key, { cause: error, retryable: false });
    }
  }

  /**
   * On fake-gcs-server only, once per adapter: it answers a signed PUT into a
   * missing bucket with a bare 404 (Cloud Storage says NoSuchBucket, which
   * classifyError turns into a clear message), so the bucket is checked up
   * front through its JSON API, which it serves without credentials.
   */
  private async ensureBucket(key: string): Promise<void> {
    if (!this.emulator) return;
    this.bucketCheck ??= (async () => {
      const url = `${this.endpoint}/storage/v1/b/${encodeURIComponent(this.bucketName)}`;
      const response = await sendControl({ method: 'GET', url, timeoutMs: this.timeoutMs, operation: 'upload', key });
      if (response.status === 404) throw this.noBucket(key);
    })();
    try {
      await this.bucketCheck;
    } catch (error) {
      this.bucketCheck = undefined;
      throw error;
    }
  }

  private noBucket(key: string): FileXferError {
    return gcsError(
      'NotFound',
      `The bucket "${this.bucketName}" does not exist${this.emulator ? ' on the emulator' : ''}. Create it (gcloud storage buckets create gs://${this.bucketName}) or fix the \`bucket\` option.`,
      'upload',
      key,
      { status: 404, retryable: false },
    );
  }

  private checkState(raw: UploadState): GcsUploadState {
    const s = raw as Partial<GcsUploadState>;
    if (!s || s.adapter !== 'gcs' || typeof s.sessionUri !== 'string' || !/^https?:\/\//.test(s.sessionUri)) {
      throw invalid(`resumeUpload: this state was not made by GcsAdapter (adapter "${String(s?.adapter)}"); pass the PartsUpload.state of a GCS upload.`);
    }
    if (s.bucket !== this.bucketName) throw invalid(`resumeUpload: the state belongs to bucket "${String(s.bucket)}", this adapter writes to "${this.bucketName}".`);
    checkObjectKey(s.key, 'resume upload');
    if (!Number.isSafeInteger(s.size) || !Number.isSafeInteger(s.partSize) || (s.partSize as number) % GCS_CHUNK_MULTIPLE !== 0) {
      throw invalid('resumeUpload: the state has no valid size or partSize.');
    }
    return { ...s, expiresIn: typeof s.expiresIn === 'number' ? s.expiresIn : 3600 } as GcsUploadState;
  }
}

/**
 * The reply to one chunk: 308 + `Range: bytes=0-N` (N+1 bytes persisted, maybe
 * fewer than sent: the engine re-sends from there), or 200/201 when the last
 * chunk finalised the object.
 */
export function readChunkReply(state: GcsUploadState, part: PartSpec, response: StoreResponse): PartResult {
  const end = part.offset + part.size;
  if (response.status === 308) {
    const upTo = persistedFromRange(response.headers.range);
    if (upTo >= state.size) {
      throw gcsError('Unknown', `upload of "${state.key}": GCS holds all ${state.size} bytes but did not finalise the object.`, 'upload part', state.key, { status: 308 });
    }
    return { part: { partNumber: part.partNumber, size: Math.max(0, Math.min(end, upTo) - part.offset) }, persistedUpTo: upTo };
  }
  if (response.status === 200 || response.status === 201) {
    if (!part.isLast) {
      throw gcsError('Unknown', `upload of "${state.key}": GCS finalised the object at byte ${end} of ${state.size}; the session was expecting more.`, 'upload part', state.key, { status: response.status });
    }
    return { part: { partNumber: part.partNumber, size: part.size, etag: response.headers.etag?.replace(/^"|"$/g, '') }, persistedUpTo: end };
  }
  throw controlError(response, 'upload part', state.key, 'The chunk was refused.');
}

function googHash(checksums: Checksums): string {
  return checksums.md5 ? `crc32c=${checksums.crc32c},md5=${checksums.md5}` : `crc32c=${checksums.crc32c}`;
}

function checkExpires(expiresIn: number): void {
  if (!Number.isInteger(expiresIn) || expiresIn <= 0 || expiresIn > MAX_EXPIRES) {
    throw invalid(`GCS signed URLs live from 1 second to 7 days (${MAX_EXPIRES} s); expiresIn was ${expiresIn}.`);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
