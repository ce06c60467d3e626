/**
 * Block ids and block sizes for block blobs.
 *
 * Azure wants block ids that are base64, at most 64 bytes before encoding, and
 * all of the same length within one blob
 * (https://learn.microsoft.com/en-us/rest/api/storageservices/put-block#uri-parameters).
 * Ours are base64 of `<16 hex chars of per-upload randomness><5-digit part number>`:
 * 21 ASCII bytes, so every id is 28 characters with no `=` padding, two uploads
 * to the same key never collide, and `listParts` can tell this upload's blocks
 * from anyone else's.
 */
import { randomBytes } from 'node:crypto';

/** Most committed blocks in one blob. https://learn.microsoft.com/en-us/rest/api/storageservices/scalability-targets-for-the-azure-blob-storage-service */
export const MAX_BLOCKS = 50_000;
/** Largest block (service version 2019-12-12 and later). */
export const MAX_BLOCK_SIZE = 4000 * 1024 * 1024;
/** Largest single Put Blob (service version 2019-12-12 and later). */
export const MAX_PUT_BLOB_SIZE = 5000 * 1024 * 1024;
/** Largest block blob: MAX_BLOCKS blocks of MAX_BLOCK_SIZE. */
export const MAX_BLOB_SIZE = MAX_BLOCKS * MAX_BLOCK_SIZE;

const UPLOAD_ID = /^[0-9a-f]{16}$/;
const DIGITS = 5; // enough for MAX_BLOCKS

/** A fresh per-upload prefix: 64 random bits as 16 hex characters. */
export function newUploadId(): string {
  return randomBytes(8).toString('hex');
}

export function isUploadId(value: unknown): value is string {
  return typeof value === 'string' && UPLOAD_ID.test(value);
}

/** The block id (base64, as Azure wants it) of one part of one upload. */
export function blockId(uploadId: string, partNumber: number): string {
  if (!isUploadId(uploadId)) throw new RangeError(`bad upload id ${uploadId}`);
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_BLOCKS) {
    throw new RangeError(`part number ${partNumber} is outside 1..${MAX_BLOCKS}`);
  }
  return Buffer.from(uploadId + String(partNumber).padStart(DIGITS, '0'), 'ascii').toString('base64');
}

/** The part number a block id stands for, when it belongs to this upload; otherwise undefined. */
export function partNumberOf(uploadId: string, id: string): number | undefined {
  const raw = Buffer.from(id, 'base64').toString('latin1');
  if (raw.length !== uploadId.length + DIGITS || !raw.startsWith(uploadId)) return undefined;
  const digits = raw.slice(uploadId.length);
  if (!/^\d+$/.test(digits)) return undefined;
  const n = Number(digits);
  return n >= 1 && n <= MAX_BLOCKS && blockId(uploadId, n) === id ? n : undefined;
}

/**
 * The block size for an upload: the caller's preference, capped at Azure's
 * largest block, and raised (to a whole MiB) when the file would need more
 * than 50,000 blocks.
 */
export function settlePartSize(size: number, preferred: number): number {
  let partSize = Math.min(Math.max(1, Math.floor(preferred)), MAX_BLOCK_SIZE);
  if (Math.ceil(size / partSize) > MAX_BLOCKS) {
    const mib = 1024 * 1024;
    partSize = Math.ceil(size / MAX_BLOCKS / mib) * mib;
  }
  return partSize;
}

/** Number of parts for a size: at least one (a 0-byte file is one empty part). */
export function partCount(size: number, partSize: number): number {
  return Math.max(1, Math.ceil(size / partSize));
}

/** Bytes in part `n` (1-based). */
export function partLength(size: number, partSize: number, n: number): number {
  return Math.min(partSize, size - (n - 1) * partSize);
}
