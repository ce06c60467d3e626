/**
 * A block-blob upload above the single-PUT threshold, as a PartsUpload the
 * engine fills: Put Block per part over a short-lived SAS, in parallel, then
 * Put Block List in part order.
 * https://learn.microsoft.com/en-us/rest/api/storageservices/put-block
 * https://learn.microsoft.com/en-us/rest/api/storageservices/put-block-list
 */
import type { BlockBlobClient } from '@azure/storage-blob';
import {
  FileXferError,
  abortedError,
  type Checksums,
  type CompletedPart,
  type ObjectInfo,
  type PartResult,
  type PartSpec,
  type PartsUpload,
  type SignedRequest,
  type StoreResponse,
  type UploadState,
  type UploadSummary,
} from '@filexfer/core';
import { blockId, partCount, partLength, partNumberOf } from './blocks.js';
import { fromSdkError, type ErrorContext } from './errors.js';
import { STORAGE_VERSION } from './sas.js';

/** What the session keeps in the resume journal. Plain JSON. */
export interface AzureUploadState extends UploadState {
  adapter: 'azure';
  container: string;
  /** Per-upload random prefix of every block id (16 hex characters). */
  uploadId: string;
  contentType?: string;
  metadata?: Record<string, string>;
}

/** What a session needs from its adapter. */
export interface SessionContext {
  /** A blob URL with a fresh create+write SAS (issued at call time). */
  uploadUrl(key: string): Promise<string>;
  blockBlob(key: string): BlockBlobClient;
  errorContext(): ErrorContext;
}

export class BlockUpload implements PartsUpload {
  readonly kind = 'parts';
  readonly parallel = true;
  readonly wantsMd5 = true;
  readonly partSize: number;
  private aborted = false;

  constructor(
    readonly state: AzureUploadState,
    private readonly ctx: SessionContext,
  ) {
    this.partSize = state.partSize;
  }

  private get parts(): number {
    return partCount(this.state.size, this.state.partSize);
  }

  private fail(operation: string, message: string): FileXferError {
    return new FileXferError('InvalidInput', message, { adapter: 'azure', operation, key: this.state.key });
  }

  async signPart(part: PartSpec, checksums: Checksums): Promise<SignedRequest> {
    if (this.aborted) throw abortedError({ adapter: 'azure', operation: 'signPart', key: this.state.key });
    const n = part.partNumber;
    if (!Number.isInteger(n) || n < 1 || n > this.parts) {
      throw this.fail('signPart', `Part ${n} is outside 1..${this.parts} for this upload.`);
    }
    if (part.size !== partLength(this.state.size, this.partSize, n)) {
      throw this.fail('signPart', `Part ${n} has ${part.size} bytes; this upload's part ${n} has ${partLength(this.state.size, this.partSize, n)}.`);
    }
    if (!checksums.md5) {
      // Content-MD5 is what makes Azure check each block; without it a corrupted block would be stored.
      throw this.fail('signPart', `Part ${n} came without its MD5 (the session asks for it with wantsMd5).`);
    }
    const url = await this.ctx.uploadUrl(this.state.key);
    const [path, sas] = url.split('?', 2);
    return {
      method: 'PUT',
      url: `${path}?comp=block&blockid=${encodeURIComponent(blockId(this.state.uploadId, n))}&${sas}`,
      headers: { 'x-ms-version': STORAGE_VERSION, 'content-md5': checksums.md5 },
    };
  }

  readPart(part: PartSpec, checksums: Checksums, response: StoreResponse): PartResult {
    // Put Block echoes the Content-MD5 it checked; a different value means the store saw other bytes.
    const echoed = response.headers['content-md5'];
    if (echoed && checksums.md5 && echoed !== checksums.md5) {
      throw new FileXferError('ChecksumMismatch', `Azure stored part ${part.partNumber} with MD5 ${echoed}, not the ${checksums.md5} that was sent.`, {
        adapter: 'azure',
        operation: 'uploadPart',
        key: this.state.key,
      });
    }
    return {
      part: { partNumber: part.partNumber, size: part.size, etag: blockId(this.state.uploadId, part.partNumber), crc32c: checksums.crc32c },
    };
  }

  async complete(parts: CompletedPart[], summary: UploadSummary): Promise<ObjectInfo> {
    if (this.aborted) throw abortedError({ adapter: 'azure', operation: 'complete', key: this.state.key });
    const numbers = new Set(parts.map((p) => p.partNumber));
    const missing: number[] = [];
    for (let n = 1; n <= this.parts && missing.length < 10; n++) if (!numbers.has(n)) missing.push(n);
    if (missing.length > 0 || numbers.size !== this.parts) {
      throw this.fail('complete', `Cannot commit: expected parts 1..${this.parts}${missing.length ? `, missing ${missing.join(', ')}` : `, got ${numbers.size} distinct parts`}.`);
    }
    if (summary.size !== this.state.size) {
      throw this.fail('complete', `Cannot commit: the engine sent ${summary.size} bytes, the upload is ${this.state.size}.`);
    }
    // Block ids are derived from part numbers, not taken from `parts`, so a
    // journal edited by hand cannot commit someone else's blocks.
    const ids = Array.from({ length: this.parts }, (_, i) => blockId(this.state.uploadId, i + 1));
    const client = this.ctx.blockBlob(this.state.key);
    try {
      // Put Block List does not check x-ms-blob-content-md5 (it is only stored), and the
      // engine has no whole-object MD5 for parallel parts; the whole-object CRC32C goes
      // into metadata so a downloader can verify.
      const res = await client.commitBlockList(ids, {
        blobHTTPHeaders: {
          blobContentType: this.state.contentType ?? 'application/octet-stream',
          blobContentMD5: summary.md5 ? Buffer.from(summary.md5, 'base64') : undefined,
        },
        metadata: { ...(this.state.metadata ?? {}), crc32c: summary.crc32c },
      });
      return {
        key: this.state.key,
        size: this.state.size,
        etag: res.etag,
        contentType: this.state.contentType ?? 'application/octet-stream',
        crc32c: summary.crc32c,
        md5: summary.md5,
        lastModified: res.lastModified,
      };
    } catch (error) {
      throw fromSdkError(error, 'complete', this.state.key, this.ctx.errorContext());
    }
  }

  /**
   * Azure has no call that deletes uncommitted blocks: they are garbage-collected
   * when no Put Block List commits them within 7 days
   * (https://learn.microsoft.com/en-us/rest/api/storageservices/put-block-list#remarks).
   * Until a Put Block List, a blob made only of uncommitted blocks is invisible:
   * Get Blob and Get Blob Properties answer 404 and listings skip it. So aborting
   * means never committing: this session refuses to sign or commit from now on,
   * and no blob appears. (Committing an empty list and deleting the blob would
   * drop the blocks sooner, but it would make a blob appear, and overwrite any
   * existing blob at that key.)
   */
  async abort(): Promise<void> {
    this.aborted = true;
  }

  async listParts(): Promise<CompletedPart[]> {
    let list;
    try {
      list = await this.ctx.blockBlob(this.state.key).getBlockList('uncommitted');
    } catch (error) {
      const e = error as { statusCode?: number; details?: { errorCode?: string } };
      if (e.statusCode === 404 && e.details?.errorCode !== 'ContainerNotFound') return [];
      throw fromSdkError(error, 'listParts', this.state.key, this.ctx.errorContext());
    }
    const found = new Map<number, CompletedPart>();
    for (const block of list.uncommittedBlocks ?? []) {
      const n = partNumberOf(this.state.uploadId, block.name);
      if (n === undefined || n > this.parts) continue;
      // A block of the wrong size is not this upload's part n (it would corrupt the blob): send it again.
      if (block.size !== partLength(this.state.size, this.partSize, n)) continue;
      found.set(n, { partNumber: n, size: block.size, etag: block.name });
    }
    return [...found.values()].sort((a, b) => a.partNumber - b.partNumber);
  }
}
