/**
 * S3's multipart limits and the part-size choice that follows from them.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html
 */

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;

/** Every part but the last must be at least this big. */
export const MIN_PART_SIZE = 5 * MiB;
/** No part may be bigger. */
export const MAX_PART_SIZE = 5 * GiB;
/** Part numbers run 1..10,000. */
export const MAX_PARTS = 10_000;
/** The largest object S3 stores. */
export const MAX_OBJECT_SIZE = 5 * TiB;
/** The largest single PUT. */
export const MAX_SINGLE_PUT = 5 * GiB;

/**
 * The part size for a file of `size` bytes, starting from the engine's
 * preference: never below 5 MiB, never above 5 GiB, and big enough that
 * 10,000 parts cover the file (for a 5 TiB file: 525 MiB parts). The floor
 * that the part count imposes is rounded up to a whole MiB, so sizes stay
 * readable and the last part is never a sliver.
 */
export function choosePartSize(size: number, preferred: number): number {
  const byCount = Math.ceil(Math.ceil(size / MAX_PARTS) / MiB) * MiB;
  const wanted = Number.isFinite(preferred) && preferred > 0 ? Math.floor(preferred) : MIN_PART_SIZE;
  return Math.min(MAX_PART_SIZE, Math.max(MIN_PART_SIZE, wanted, byCount));
}

/** How many parts a file of `size` bytes takes at `partSize` (an empty file still takes one request). */
export function partCount(size: number, partSize: number): number {
  return Math.max(1, Math.ceil(size / partSize));
}
