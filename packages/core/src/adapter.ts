/**
 * The StorageAdapter contract: an adapter only *signs*. It turns "put this key"
 * or "get that key" into plain, JSON-serialisable HTTP requests (method, URL,
 * headers) that the one engine in core sends. Nothing here moves bytes, so the
 * signing half can run on a server while a credential-less client sends.
 */

/** One HTTP request the engine may send as is. Plain data: JSON-serialisable. */
export interface SignedRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  url: string;
  /** Headers that must be sent exactly (signed headers, checksums, ranges...). */
  headers?: Record<string, string>;
}

/** What the engine hands back to an adapter after a request: status and headers, body text on errors. */
export interface StoreResponse {
  status: number;
  /** Header names lower-cased; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Up to 64 KiB of the body, read only for error responses and small control replies. */
  bodyText?: string;
}

/** Checksums the engine computed over exactly the bytes it is about to send (base64, big-endian). */
export interface Checksums {
  /** CRC32C as base64 of its 4 big-endian bytes: the encoding S3 and GCS use. */
  crc32c: string;
  /** MD5 as base64; computed only when the adapter asks for it (`wantsMd5`). */
  md5?: string;
}

export interface CreateUploadInput {
  key: string;
  size: number;
  contentType?: string;
  /** Seconds each signed URL stays valid. */
  expiresIn: number;
  /** Preferred part size; the adapter may round it to what its store needs. */
  partSize: number;
  /** Free-form metadata stored with the object where the store supports it. */
  metadata?: Record<string, string>;
}

/** Below the multipart threshold: one signed PUT of the whole body. */
export interface SingleUpload {
  kind: 'single';
  /** When true the engine computes MD5 too and passes it to sign(). */
  wantsMd5?: boolean;
  /**
   * Signs the PUT. Called again on every attempt, so a retry after an expired
   * URL gets a fresh signature. `checksums` covers the whole body.
   */
  sign(checksums: Checksums): Promise<SignedRequest>;
  /**
   * Optional: a check after a 2xx reply (e.g. compare the store's reported hash).
   * Throw a FileXferError to fail the upload.
   */
  verify?(response: StoreResponse, checksums: Checksums): Promise<void> | void;
}

/** One part the engine is about to send or has sent. */
export interface PartSpec {
  /** 1-based, in file order. */
  partNumber: number;
  /** Byte offset of this request's first byte in the file. */
  offset: number;
  /** Bytes in this request. */
  size: number;
  /** True for the request that carries the file's last byte. */
  isLast: boolean;
}

/** What the store said about a part once it accepted it. Plain data, kept in the resume state. */
export interface CompletedPart {
  partNumber: number;
  size: number;
  /** S3 ETag, Azure block id, ... whatever complete() needs. */
  etag?: string;
  /** Checksum of the part as the engine sent it. */
  crc32c?: string;
}

export interface PartResult {
  /** The part as complete() will need it. */
  part: CompletedPart;
  /**
   * For sequential sessions that may persist less than was sent (a GCS
   * resumable session answering 308 with a shorter Range): the file offset the
   * store has persisted up to (exclusive). The engine re-sends from there.
   */
  persistedUpTo?: number;
}

/** Whole-object facts the engine knows once every byte went out. */
export interface UploadSummary {
  size: number;
  /** CRC32C of the whole object, base64 big-endian. */
  crc32c: string;
  /** MD5 of the whole object, only for sequential sessions that asked for MD5. */
  md5?: string;
}

/**
 * Above the threshold: a store-side session the engine fills part by part.
 * All fields except the methods are plain data.
 */
export interface PartsUpload {
  kind: 'parts';
  /** The part size the adapter settled on (every part but the last has this size). */
  partSize: number;
  /** False for stores that need the bytes in order (GCS resumable sessions). */
  parallel: boolean;
  /** When true the engine computes MD5 per part (and for the whole object when sequential). */
  wantsMd5?: boolean;
  /** JSON-serialisable; `resumeUpload(state)` rebuilds this session from it. */
  state: UploadState;
  /**
   * Signs one part request. Called again on every attempt. For sequential
   * sessions, the request that carries the last byte also gets the
   * whole-object checksums (GCS checks them on the final chunk).
   */
  signPart(part: PartSpec, checksums: Checksums, whole?: Checksums): Promise<SignedRequest>;
  /** Reads the store's reply to a part request (ETag, 308 Range, block id...). Throw to fail the part. */
  readPart(part: PartSpec, checksums: Checksums, response: StoreResponse): PartResult;
  /**
   * Commits the object from its parts, in part-number order. Sequential sessions
   * whose last part already committed the object (GCS) may just verify here.
   */
  complete(parts: CompletedPart[], summary: UploadSummary): Promise<ObjectInfo>;
  /** Aborts the store-side session so that no object and no parts are left. Idempotent. */
  abort(): Promise<void>;
  /**
   * The parts the store already holds, for resume. For sequential sessions the
   * list is one entry covering bytes [0, persisted) with partNumber 0.
   */
  listParts(): Promise<CompletedPart[]>;
}

export type UploadPlan = SingleUpload | PartsUpload;

/** Serialisable upload session state: which adapter, which key, and the adapter's own fields. */
export interface UploadState {
  adapter: string;
  key: string;
  size: number;
  partSize: number;
  [field: string]: unknown;
}

export interface ObjectInfo {
  key: string;
  size: number;
  etag?: string;
  contentType?: string;
  /** CRC32C base64, where the store keeps or reports one. */
  crc32c?: string;
  /** MD5 base64, where the store keeps or reports one. */
  md5?: string;
  lastModified?: Date;
}

/** What a store can and cannot do; core supplies the fallback or the test suite skips with a reason. */
export interface AdapterCapabilities {
  /** The store verifies URL signatures and expiry (false: fake-gcs-server). */
  checksSignatures: boolean;
  /** Parts may be sent in parallel. */
  parallelParts: boolean;
  /** Smallest part the store accepts (bytes), except the last. */
  minPartSize: number;
  /** Part sizes must be a multiple of this (GCS: 256 KiB). 1 when free. */
  partSizeMultiple: number;
  /** Most parts in one upload. */
  maxParts: number;
  /** The store can report the parts it holds, so uploads resume. */
  resumableUploads: boolean;
}

export interface PresignOptions {
  /** Seconds the URL stays valid. */
  expiresIn?: number;
}

/**
 * The contract every store implements. Everything else (retries, progress,
 * checksums, temp files, resume, limits) is built on it in core.
 */
export interface StorageAdapter {
  /** Short name for errors and logs: 'local', 's3', 'gcs', 'azure'. */
  readonly name: string;
  readonly capabilities: AdapterCapabilities;
  /** Single PUT or a parts session, as the size and the store call for. */
  createUpload(input: CreateUploadInput): Promise<UploadPlan>;
  /** Rebuild a parts session from `PartsUpload.state` (after a crash, in another process). */
  resumeUpload(state: UploadState): Promise<PartsUpload>;
  /** A signed GET URL for one object: what the sender puts in the message. */
  presignDownload(key: string, options?: PresignOptions): Promise<string>;
  /** A signed request that puts a whole object (for `filexfer presign --method put`). */
  presignUpload(key: string, options?: PresignOptions & { contentType?: string }): Promise<SignedRequest>;
  /** The object's facts, or null when there is no such object. */
  stat(key: string): Promise<ObjectInfo | null>;
  /** Deletes the object; deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Maps a store's error reply to a FileXferError code and a message fit to
   * show (never a URL signature). Return undefined to use core's HTTP mapping.
   * `request` is the request that failed, when the engine sent it (e.g. to read
   * a SAS's expiry where the store's reply does not say the link expired).
   */
  classifyError?(response: StoreResponse, request?: SignedRequest): { code: import('./errors.js').FileXferErrorCode; message: string } | undefined;
  /**
   * Checksums the store reports in a GET reply (x-goog-hash, x-amz-checksum-crc32c,
   * Content-MD5...), for the engine to compare with what it received.
   * Only values that describe the whole object, 200 or 206 alike (Azure and
   * GCS send those in a 206 too); never a checksum of just the range.
   */
  checksumsFromResponse?(response: StoreResponse): { crc32c?: string; md5?: string };
  /** Releases sockets, servers and SDK clients. */
  close?(): Promise<void>;
}
