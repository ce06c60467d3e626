import { choosePartSize, MAX_OBJECT_SIZE, MAX_PART_SIZE, MAX_PARTS, MIN_PART_SIZE, partCount } from './parts.js';

const MiB = 1024 * 1024;

describe('choosePartSize', () => {
  it('keeps the preferred size when it is allowed and enough', () => {
    expect(choosePartSize(100 * MiB, 8 * MiB)).toBe(8 * MiB);
  });

  it('never goes below 5 MiB', () => {
    expect(choosePartSize(100 * MiB, 1 * MiB)).toBe(MIN_PART_SIZE);
    expect(choosePartSize(1, 0)).toBe(MIN_PART_SIZE);
    expect(choosePartSize(1, Number.NaN)).toBe(MIN_PART_SIZE);
  });

  it('never goes above 5 GiB', () => {
    expect(choosePartSize(10 * MiB, 64 * 1024 * MiB)).toBe(MAX_PART_SIZE);
  });

  it('grows so that 10,000 parts cover the file', () => {
    const size = 200 * 1024 * MiB; // 200 GiB at 8 MiB parts would be 25,600 parts
    const part = choosePartSize(size, 8 * MiB);
    expect(part % MiB).toBe(0);
    expect(partCount(size, part)).toBeLessThanOrEqual(MAX_PARTS);
    expect(partCount(size, part - MiB)).toBeGreaterThan(MAX_PARTS);
  });

  it('reaches 5 TiB within 10,000 parts with parts of at most 5 GiB', () => {
    const part = choosePartSize(MAX_OBJECT_SIZE, 5 * MiB);
    expect(part).toBe(525 * MiB);
    expect(part * MAX_PARTS).toBeGreaterThanOrEqual(MAX_OBJECT_SIZE);
    expect(part).toBeLessThanOrEqual(MAX_PART_SIZE);
  });

  it('uses exactly 10,000 parts of 5 MiB for a file of 10,000 x 5 MiB', () => {
    expect(choosePartSize(MAX_PARTS * MIN_PART_SIZE, MIN_PART_SIZE)).toBe(MIN_PART_SIZE);
    expect(choosePartSize(MAX_PARTS * MIN_PART_SIZE + 1, MIN_PART_SIZE)).toBe(6 * MiB);
  });
});

describe('partCount', () => {
  it('counts a tail part and gives an empty file one request', () => {
    expect(partCount(0, MIN_PART_SIZE)).toBe(1);
    expect(partCount(MIN_PART_SIZE, MIN_PART_SIZE)).toBe(1);
    expect(partCount(MIN_PART_SIZE + 1, MIN_PART_SIZE)).toBe(2);
  });
});
