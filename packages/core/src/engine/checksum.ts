/**
 * CRC32C (native, ~GB/s) and MD5 helpers. CRC32C values travel as base64 of
 * their 4 big-endian bytes, the encoding S3 (x-amz-checksum-crc32c) and GCS
 * (x-goog-hash: crc32c=) both use.
 */
import { createHash, type Hash } from 'node:crypto';
import { crc32c } from '@node-rs/crc32';
import type { Checksums } from '../adapter.js';

export function crc32cOf(data: Uint8Array, previous = 0): number {
  return crc32c(Buffer.from(data.buffer, data.byteOffset, data.byteLength), previous) >>> 0;
}

export function crc32cToBase64(value: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b.toString('base64');
}

export function crc32cFromBase64(text: string): number {
  const b = Buffer.from(text, 'base64');
  if (b.length !== 4) throw new TypeError(`not a base64 CRC32C: ${text}`);
  return b.readUInt32BE(0);
}

export function checksumsOf(data: Uint8Array, withMd5: boolean): Checksums {
  const result: Checksums = { crc32c: crc32cToBase64(crc32cOf(data)) };
  if (withMd5) result.md5 = createHash('md5').update(data).digest('base64');
  return result;
}

/** Running checksums over a stream of chunks, in order. */
export class RunningChecksum {
  private crc = 0;
  private readonly md5: Hash | undefined;
  constructor(withMd5: boolean) {
    this.md5 = withMd5 ? createHash('md5') : undefined;
  }
  update(chunk: Uint8Array): void {
    this.crc = crc32cOf(chunk, this.crc);
    this.md5?.update(chunk);
  }
  digest(): Checksums {
    const result: Checksums = { crc32c: crc32cToBase64(this.crc) };
    if (this.md5) result.md5 = this.md5.digest('base64');
    return result;
  }
}

// --- CRC combination, so parts hashed in parallel still give the whole-object CRC32C.
// The method is zlib's crc32_combine (GF(2) matrix powers), with the CRC32C polynomial.
const CRC32C_POLY_REVERSED = 0x82f63b78;

function gf2Times(matrix: Uint32Array, vector: number): number {
  let sum = 0;
  let i = 0;
  while (vector !== 0) {
    if (vector & 1) sum ^= matrix[i]!;
    vector >>>= 1;
    i++;
  }
  return sum >>> 0;
}

function gf2Square(square: Uint32Array, matrix: Uint32Array): void {
  for (let n = 0; n < 32; n++) square[n] = gf2Times(matrix, matrix[n]!);
}

/** CRC32C of A||B from crc(A), crc(B) and the length of B. */
export function crc32cCombine(crcA: number, crcB: number, lengthB: number): number {
  if (lengthB <= 0) return crcA >>> 0;
  const even = new Uint32Array(32);
  const odd = new Uint32Array(32);
  odd[0] = CRC32C_POLY_REVERSED;
  let row = 1;
  for (let n = 1; n < 32; n++) {
    odd[n] = row;
    row <<= 1;
  }
  gf2Square(even, odd); // two zero bits
  gf2Square(odd, even); // four zero bits
  let crc = crcA >>> 0;
  let len = lengthB;
  do {
    gf2Square(even, odd);
    if (len & 1) crc = gf2Times(even, crc);
    len = Math.floor(len / 2);
    if (len === 0) break;
    gf2Square(odd, even);
    if (len & 1) crc = gf2Times(odd, crc);
    len = Math.floor(len / 2);
  } while (len !== 0);
  return (crc ^ crcB) >>> 0;
}
