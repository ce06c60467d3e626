/**
 * The whole-object CRC32C of a sequential upload, put together from the CRC32C
 * of each request the engine signs. GCS checks an `x-goog-hash` sent with the
 * last chunk of a resumable session against the whole object (the Node SDK
 * sends it the same way), and signPart only sees per-request checksums.
 */
import { crc32cCombine, crc32cFromBase64, crc32cToBase64 } from '@filexfer/core';

export class CrcChain {
  /** Requests signed so far, by file offset: CRC32C and length of [offset, offset + length). */
  private readonly segments = new Map<number, { crc: number; length: number }>();

  add(offset: number, length: number, crc32c: string): void {
    this.segments.set(offset, { crc: crc32cFromBase64(crc32c), length });
  }

  /**
   * CRC32C of bytes [0, end) as base64, when the signed requests tile that range
   * from byte 0 (a re-sent request starts at an offset already seen, so the
   * latest one there is used). Undefined when a piece is missing, e.g. in a
   * process that resumed a session another one started.
   */
  wholeUpTo(end: number): string | undefined {
    let position = 0;
    let crc = 0;
    while (position < end) {
      const segment = this.segments.get(position);
      if (!segment || segment.length <= 0) return undefined;
      crc = position === 0 ? segment.crc : crc32cCombine(crc, segment.crc, segment.length);
      position += segment.length;
    }
    return position === end ? crc32cToBase64(crc) : undefined;
  }
}
