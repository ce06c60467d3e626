import { MAX_BLOCK_SIZE, MAX_BLOCKS, blockId, isUploadId, newUploadId, partCount, partLength, partNumberOf, settlePartSize } from './blocks.js';

describe('block ids', () => {
  const upload = '0123456789abcdef';

  it('are base64 of the upload prefix and a zero-padded part number, all of one length, without padding', () => {
    const ids = [1, 2, 10, 999, MAX_BLOCKS].map((n) => blockId(upload, n));
    expect(new Set(ids.map((id) => id.length))).toEqual(new Set([28]));
    expect(ids.every((id) => !id.includes('='))).toBe(true);
    expect(Buffer.from(ids[0]!, 'base64').toString('ascii')).toBe('0123456789abcdef00001');
    expect(Buffer.from(ids[4]!, 'base64').toString('ascii')).toBe('0123456789abcdef50000');
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('differ between two uploads of the same part', () => {
    const a = newUploadId();
    const b = newUploadId();
    expect(isUploadId(a)).toBe(true);
    expect(a).not.toBe(b);
    expect(blockId(a, 1)).not.toBe(blockId(b, 1));
  });

  it('map back to their part number only for their own upload', () => {
    const id = blockId(upload, 42);
    expect(partNumberOf(upload, id)).toBe(42);
    expect(partNumberOf('fedcba9876543210', id)).toBeUndefined();
    expect(partNumberOf(upload, Buffer.from('something-else').toString('base64'))).toBeUndefined();
    expect(partNumberOf(upload, Buffer.from(`${upload}0000x`).toString('base64'))).toBeUndefined();
    expect(partNumberOf(upload, Buffer.from(`${upload}00000`).toString('base64'))).toBeUndefined();
  });

  it('refuse part numbers Azure cannot hold', () => {
    expect(() => blockId(upload, 0)).toThrow(RangeError);
    expect(() => blockId(upload, MAX_BLOCKS + 1)).toThrow(RangeError);
    expect(() => blockId('nothex', 1)).toThrow(RangeError);
  });
});

describe('part sizes', () => {
  const MiB = 1024 * 1024;

  it('keep the preferred size when it fits', () => {
    expect(settlePartSize(100 * MiB, 8 * MiB)).toBe(8 * MiB);
    expect(settlePartSize(10, 3)).toBe(3);
  });

  it('cap at the largest block Azure accepts', () => {
    expect(settlePartSize(10 * 1024 * MiB, 8000 * MiB)).toBe(MAX_BLOCK_SIZE);
  });

  it('grow to a whole MiB when the file would need more than 50,000 blocks', () => {
    const size = 1024 * 1024 * MiB; // 1 TiB
    const partSize = settlePartSize(size, 8 * MiB);
    expect(partSize % MiB).toBe(0);
    expect(partCount(size, partSize)).toBeLessThanOrEqual(MAX_BLOCKS);
    expect(partCount(size, partSize - MiB)).toBeGreaterThan(MAX_BLOCKS);
  });

  it('count parts and their lengths', () => {
    expect(partCount(0, 5)).toBe(1);
    expect(partCount(10, 5)).toBe(2);
    expect(partCount(11, 5)).toBe(3);
    expect([1, 2, 3].map((n) => partLength(11, 5, n))).toEqual([5, 5, 1]);
  });
});
