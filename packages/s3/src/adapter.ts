/**
 * S3Adapter: signs S3 requests for the filexfer engine; never moves bytes.
 *
 * - Below the part size: one presigned PUT carrying the CRC32C of the body as
 *   a signed `x-amz-checksum-crc32c` header, so the store checks it.
 * - Above: CreateMultipartUpload (CRC32C, FULL_OBJECT), an UploadPart URL
 *   signed per part when the engine needs it (each with that part's CRC32C as
 *   a signed header), CompleteMultipartUpload with every part's CRC32C and the
 *   whole-object CRC32C, which the store verifies and keeps; AbortMultipartUpload
 *   on stop or failure. ListParts drives resume.
 * - Downloads: presigned GET; the engine adds Range itself (an unsigned header
 *   that SigV4 presigned URLs allow).
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  DeleteObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type {
  AdapterCapabilities,
  Checksums,
  CompletedPart,
  CreateUploadInput,
  FileXferErrorCode,
  ObjectInfo,
  PartsUpload,
  PartSpec,
  PresignOptions,
  SignedRequest,
  SingleUpload,
  StorageAdapter,
  StoreResponse,
  UploadPlan,
  UploadState,
} from '@filexfer/core';
import { FileXferError } from '@filexfer/core';
import { classifyResponse, fromSdkError } from './errors.js';
import type { S3AdapterOptions, S3ChecksumType } from './options.js';
import { resolveOptions } from './options.js';
import { choosePartSize, MAX_OBJECT_SIZE, MAX_PARTS, MIN_PART_SIZE, partCount } from './parts.js';
import { presign, presigningView } from './presign.js';

/** S3 keys are at most 1,024 bytes of UTF-8. https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html */
export const MAX_KEY_BYTES = 1024;
/** SigV4 presigned URLs live at most 7 days. https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html */
export const MAX_EXPIRES_IN = 7 * 24 * 3600;
/** presignDownload / presignUpload without `expiresIn`: one hour, the engine's default too. */
export const DEFAULT_EXPIRES_IN = 3600;

/** The state a parts upload persists for resume: UploadState plus S3's own fields. */
export interface S3UploadState extends UploadState {
  adapter: 's3';
  bucket: string;
  uploadId: string;
  /** How the store keeps the object's CRC32C (fixed when the upload was created). */
  checksumType?: S3ChecksumType;
  /** Seconds each part URL stays valid. */
  expiresIn?: number;
}

const CHECKSUM_HEADER = 'x-amz-checksum-crc32c';

export class S3Adapter implements StorageAdapter {
  readonly name = 's3';
  readonly capabilities: AdapterCapabilities;
  readonly bucket: string;
  /** The SDK client for control-plane calls (CreateMultipartUpload, ListParts, ...). */
  readonly client: S3Client;
  private readonly signer: S3Client;
  private readonly ownsClient: boolean;
  private readonly endpointLabel?: string;
  private readonly checksumType: S3ChecksumType;

  constructor(options: S3AdapterOptions) {
    const o = resolveOptions(options);
    this.bucket = o.bucket;
    this.endpointLabel = o.endpoint;
    this.checksumType = o.checksumType;
    if (o.client) {
      this.client = o.client;
      this.ownsClient = false;
    } else {
      this.client = new S3Client({
        region: o.region,
        endpoint: o.endpoint,
        forcePathStyle: o.forcePathStyle,
        credentials: o.credentials,
        // See presigningView(): we send checksums we computed ourselves.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      this.ownsClient = true;
    }
    this.signer = presigningView(this.client);
    this.capabilities = {
      checksSignatures: o.checksSignatures,
      parallelParts: true,
      minPartSize: MIN_PART_SIZE,
      partSizeMultiple: 1,
      maxParts: MAX_PARTS,
      resumableUploads: true,
    };
  }

  async createUpload(input: CreateUploadInput): Promise<UploadPlan> {
    const { key, size } = input;
    this.checkKey(key, 'createUpload');
    const expiresIn = this.checkExpiresIn(input.expiresIn, 'createUpload', key);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw this.error('InvalidInput', `size must be a whole number of bytes >= 0 (got ${size}).`, 'createUpload', key);
    }
    if (size > MAX_OBJECT_SIZE) {
      throw this.error('TooLarge', `the file is ${size} bytes; S3 objects are at most 5 TiB.`, 'createUpload', key);
    }
    const partSize = choosePartSize(size, input.partSize);
    if (size <= partSize) return this.singleUpload(input, expiresIn);

    let uploadId: string | undefined;
    try {
      const out = await this.client.send(
        new CreateMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          ContentType: input.contentType,
          Metadata: input.metadata,
          // FULL_OBJECT: the object's checksum is the CRC32C of all its bytes
          // (not a checksum of part checksums), so it equals what the engine
          // computed, the store verifies it at Complete, and it can be compared
          // with a download. https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
          ChecksumAlgorithm: 'CRC32C',
          ChecksumType: this.checksumType,
        }),
      );
      uploadId = out.UploadId;
    } catch (error) {
      throw this.sdkError(error, 'createUpload', key);
    }
    if (!uploadId) throw this.error('Unknown', 'CreateMultipartUpload returned no UploadId.', 'createUpload', key);
    const state: S3UploadState = { adapter: 's3', bucket: this.bucket, key, size, partSize, uploadId, checksumType: this.checksumType, expiresIn };
    return this.partsUpload(state);
  }

  async resumeUpload(state: UploadState): Promise<PartsUpload> {
    const s = state as Partial<S3UploadState>;
    if (s.adapter !== 's3' || typeof s.uploadId !== 'string' || typeof s.key !== 'string' || typeof s.size !== 'number' || typeof s.partSize !== 'number') {
      throw this.error('InvalidInput', 'resumeUpload needs the `state` of an S3 parts upload (adapter "s3" with key, size, partSize and uploadId).', 'resumeUpload', s.key);
    }
    if (s.bucket !== this.bucket) {
      throw this.error('InvalidInput', `this upload was started in bucket "${String(s.bucket)}"; resume it with an S3Adapter for that bucket (this one is "${this.bucket}").`, 'resumeUpload', s.key);
    }
    return this.partsUpload(s as S3UploadState);
  }

  async presignDownload(key: string, options: PresignOptions = {}): Promise<string> {
    this.checkKey(key, 'presignDownload');
    const expiresIn = this.checkExpiresIn(options.expiresIn ?? DEFAULT_EXPIRES_IN, 'presignDownload', key);
    try {
      const req = await presign(this.signer, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn });
      return req.url;
    } catch (error) {
      throw this.sdkError(error, 'presignDownload', key);
    }
  }

  async presignUpload(key: string, options: PresignOptions & { contentType?: string } = {}): Promise<SignedRequest> {
    this.checkKey(key, 'presignUpload');
    const expiresIn = this.checkExpiresIn(options.expiresIn ?? DEFAULT_EXPIRES_IN, 'presignUpload', key);
    try {
      return await presign(this.signer, new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: options.contentType }), {
        expiresIn,
        withContentType: options.contentType !== undefined,
      });
    } catch (error) {
      throw this.sdkError(error, 'presignUpload', key);
    }
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    this.checkKey(key, 'stat');
    try {
      // ChecksumMode ENABLED: S3 reports the stored checksum only when asked.
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key, ChecksumMode: 'ENABLED' }));
      const info: ObjectInfo = { key, size: out.ContentLength ?? 0 };
      if (out.ETag) info.etag = out.ETag;
      if (out.ContentType) info.contentType = out.ContentType;
      if (out.LastModified) info.lastModified = out.LastModified;
      const crc32c = fullObjectCrc32c(out.ChecksumCRC32C, out.ChecksumType);
      if (crc32c) info.crc32c = crc32c;
      return info;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status !== 404) throw this.sdkError(error, 'stat', key);
    }
    // A HEAD 404 has no body, so it cannot say whether the key or the bucket is
    // missing; a missing bucket is a configuration error, not "no object".
    await this.assertBucketExists('stat', key);
    return null;
  }

  async delete(key: string): Promise<void> {
    this.checkKey(key, 'delete');
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      const e = this.sdkError(error, 'delete', key);
      if (e.code === 'NotFound' && (error as { name?: string }).name === 'NoSuchKey') return;
      throw e;
    }
  }

  classifyError(response: StoreResponse): { code: FileXferErrorCode; message: string } | undefined {
    return classifyResponse(response);
  }

  /**
   * The whole-object CRC32C from a GET reply. S3 and MinIO send it only when
   * the GET carried `x-amz-checksum-mode: ENABLED`, never on a ranged reply,
   * and only a FULL_OBJECT value is a CRC32C of the bytes (a COMPOSITE one,
   * "xxxx-3", is a checksum of part checksums).
   */
  checksumsFromResponse(response: StoreResponse): { crc32c?: string; md5?: string } {
    if (response.status !== 200 || response.headers['content-range']) return {};
    const crc32c = fullObjectCrc32c(response.headers[CHECKSUM_HEADER], response.headers['x-amz-checksum-type']);
    return crc32c ? { crc32c } : {};
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
  }

  // --- uploads ---------------------------------------------------------------

  private singleUpload(input: CreateUploadInput, expiresIn: number): SingleUpload {
    const { key } = input;
    return {
      kind: 'single',
      sign: async (checksums: Checksums) => {
        try {
          return await presign(
            this.signer,
            new PutObjectCommand({
              Bucket: this.bucket,
              Key: key,
              ContentType: input.contentType,
              Metadata: input.metadata,
              ChecksumCRC32C: checksums.crc32c,
            }),
            { expiresIn, signedHeaders: [CHECKSUM_HEADER], withContentType: input.contentType !== undefined },
          );
        } catch (error) {
          throw this.sdkError(error, 'upload', key);
        }
      },
      verify: (response: StoreResponse, checksums: Checksums) => {
        this.checkEcho(response, checksums, 'upload', key);
      },
    };
  }

  private partsUpload(state: S3UploadState): PartsUpload {
    const { key, uploadId } = state;
    const expiresIn = typeof state.expiresIn === 'number' ? state.expiresIn : DEFAULT_EXPIRES_IN;
    const lastPart = partCount(state.size, state.partSize);
    return {
      kind: 'parts',
      partSize: state.partSize,
      parallel: true,
      state,
      signPart: async (part: PartSpec, checksums: Checksums) => {
        if (!Number.isInteger(part.partNumber) || part.partNumber < 1 || part.partNumber > lastPart) {
          throw this.error('InvalidInput', `part ${part.partNumber} is outside 1..${lastPart} for this upload.`, 'upload', key);
        }
        try {
          // Signed now, for this attempt: a long upload never holds a URL that
          // could expire before its part is sent.
          return await presign(
            this.signer,
            new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: part.partNumber, ChecksumCRC32C: checksums.crc32c }),
            { expiresIn, signedHeaders: [CHECKSUM_HEADER] },
          );
        } catch (error) {
          throw this.sdkError(error, 'upload', key);
        }
      },
      readPart: (part: PartSpec, checksums: Checksums, response: StoreResponse) => {
        this.checkEcho(response, checksums, 'upload', key);
        const etag = response.headers.etag;
        if (!etag) {
          throw this.error(
            'Unknown',
            `S3 accepted part ${part.partNumber} but sent no ETag header (in a browser, the bucket's CORS rules must expose ETag).`,
            'upload',
            key,
          );
        }
        return { part: { partNumber: part.partNumber, size: part.size, etag, crc32c: checksums.crc32c } };
      },
      complete: (parts: CompletedPart[], summary) => this.complete(state, parts, summary),
      abort: () => this.abort(state),
      listParts: () => this.listParts(state),
    };
  }

  private async complete(state: S3UploadState, parts: CompletedPart[], summary: { size: number; crc32c: string }): Promise<ObjectInfo> {
    const { key, uploadId } = state;
    if (summary.size !== state.size) {
      throw this.error('Precondition', `the file was ${state.size} bytes when the upload started and ${summary.size} bytes at the end: it changed while uploading.`, 'complete', key);
    }
    let sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    // Every part needs its ETag and CRC32C (S3 checks both); parts that came
    // from an older journal may lack one, and ListParts has them.
    if (sorted.some((p) => !p.etag || !p.crc32c)) {
      const held = new Map((await this.listParts(state)).map((p) => [p.partNumber, p]));
      sorted = sorted.map((p) => {
        const stored = held.get(p.partNumber);
        return { ...p, etag: p.etag ?? stored?.etag, crc32c: p.crc32c ?? stored?.crc32c };
      });
    }
    const expected = partCount(state.size, state.partSize);
    if (sorted.length !== expected || sorted.some((p, i) => p.partNumber !== i + 1)) {
      throw this.error('InvalidInput', `complete() needs parts 1..${expected} once each (got ${sorted.map((p) => p.partNumber).join(',') || 'none'}).`, 'complete', key);
    }
    // The whole-object CRC32C: the store recomputes it from the parts and
    // refuses the upload if it differs. (A COMPOSITE upload has no such value;
    // each part was checked on arrival.) MpuObjectSize makes S3 check the total
    // size as well.
    const fullObject = (state.checksumType ?? 'FULL_OBJECT') === 'FULL_OBJECT';
    try {
      const out = await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: sorted.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag, ChecksumCRC32C: p.crc32c })) },
          ...(fullObject ? { ChecksumCRC32C: summary.crc32c, ChecksumType: 'FULL_OBJECT' as const } : {}),
          MpuObjectSize: state.size,
        }),
      );
      const info: ObjectInfo = { key, size: state.size, crc32c: fullObjectCrc32c(out.ChecksumCRC32C, out.ChecksumType) ?? summary.crc32c };
      if (out.ETag) info.etag = out.ETag;
      return info;
    } catch (error) {
      throw this.sdkError(error, 'complete', key);
    }
  }

  private async abort(state: S3UploadState): Promise<void> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: state.key, UploadId: state.uploadId }));
    } catch (error) {
      // Already aborted or completed: nothing is left, which is what abort() promises.
      if ((error as { name?: string }).name === 'NoSuchUpload') return;
      throw this.sdkError(error, 'abort', state.key);
    }
  }

  private async listParts(state: S3UploadState): Promise<CompletedPart[]> {
    const parts: CompletedPart[] = [];
    let marker: string | undefined;
    try {
      // Up to 1,000 parts per page; 10,000 parts take 10 pages.
      for (;;) {
        const out = await this.client.send(
          new ListPartsCommand({ Bucket: this.bucket, Key: state.key, UploadId: state.uploadId, PartNumberMarker: marker }),
        );
        for (const p of out.Parts ?? []) {
          if (p.PartNumber === undefined) continue;
          const part: CompletedPart = { partNumber: p.PartNumber, size: p.Size ?? 0 };
          if (p.ETag) part.etag = p.ETag;
          if (p.ChecksumCRC32C) part.crc32c = p.ChecksumCRC32C;
          parts.push(part);
        }
        if (!out.IsTruncated || out.NextPartNumberMarker === undefined) break;
        marker = out.NextPartNumberMarker;
      }
    } catch (error) {
      throw this.sdkError(error, 'listParts', state.key);
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  // --- checks and errors -----------------------------------------------------

  /** S3 echoes the checksum it verified; a different value means it checked something else. */
  private checkEcho(response: StoreResponse, checksums: Checksums, operation: string, key: string): void {
    const echoed = response.headers[CHECKSUM_HEADER];
    if (echoed && echoed !== checksums.crc32c) {
      throw this.error('ChecksumMismatch', `S3 stored CRC32C ${echoed} but the engine sent ${checksums.crc32c}.`, operation, key);
    }
  }

  private async assertBucketExists(operation: string, key: string): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      const e = this.sdkError(error, operation, key);
      if (e.code === 'NotFound') {
        throw this.error('NotFound', `S3 bucket "${this.bucket}" does not exist${this.endpointLabel ? ` at ${this.endpointLabel}` : ''}: create it, or fix \`bucket\` / \`endpoint\` / \`region\`.`, operation, key);
      }
      throw e;
    }
  }

  private checkKey(key: string, operation: string): void {
    if (typeof key !== 'string' || key === '') {
      throw this.error('InvalidInput', 'the object key must be a non-empty string.', operation);
    }
    const bytes = Buffer.byteLength(key, 'utf8');
    if (bytes > MAX_KEY_BYTES) {
      throw this.error('InvalidInput', `the key is ${bytes} bytes of UTF-8; S3 keys are at most ${MAX_KEY_BYTES} bytes: use a shorter key.`, operation, `${key.slice(0, 64)}…`);
    }
  }

  private checkExpiresIn(expiresIn: number, operation: string, key: string): number {
    if (!Number.isFinite(expiresIn) || expiresIn < 1 || expiresIn > MAX_EXPIRES_IN) {
      throw this.error('InvalidInput', `expiresIn must be 1..${MAX_EXPIRES_IN} seconds (S3 presigned URLs last at most 7 days); got ${expiresIn}.`, operation, key);
    }
    return Math.floor(expiresIn);
  }

  private error(code: FileXferErrorCode, message: string, operation: string, key?: string): FileXferError {
    return new FileXferError(code, `S3Adapter: ${message}`, { adapter: 's3', operation, key, retryable: false });
  }

  private sdkError(error: unknown, operation: string, key?: string): FileXferError {
    return fromSdkError(error, { operation, key, bucket: this.bucket, endpoint: this.endpointLabel });
  }
}

/** A CRC32C that covers the object's bytes: FULL_OBJECT (or untyped single PUTs), not a COMPOSITE "xxxx-N". */
function fullObjectCrc32c(value: string | undefined, type: string | undefined): string | undefined {
  if (!value || value.includes('-')) return undefined;
  if (type && type.toUpperCase() !== 'FULL_OBJECT') return undefined;
  return value;
}
