import { randomBytes } from 'node:crypto';
import { checksumsOf, crc32cCombine, crc32cFromBase64, crc32cOf, crc32cToBase64, RunningChecksum } from './checksum.js';

test('CRC32C of the standard check string is 0xE3069283', () => {
  expect(crc32cOf(Buffer.from('123456789'))).toBe(0xe3069283);
  expect(crc32cToBase64(0xe3069283)).toBe(Buffer.from([0xe3, 0x06, 0x92, 0x83]).toString('base64'));
  expect(crc32cFromBase64(crc32cToBase64(0xe3069283))).toBe(0xe3069283);
});

test('combining part CRCs gives the CRC of the whole, for any split', () => {
  for (let trial = 0; trial < 50; trial++) {
    const whole = randomBytes(1 + Math.floor(Math.random() * 5000));
    const cut = Math.floor(Math.random() * whole.length);
    const a = whole.subarray(0, cut);
    const b = whole.subarray(cut);
    expect(crc32cCombine(crc32cOf(a), crc32cOf(b), b.length)).toBe(crc32cOf(whole));
  }
});

test('running checksums over chunks equal one-shot checksums, MD5 only when asked', () => {
  const data = randomBytes(10_000);
  const running = new RunningChecksum(true);
  running.update(data.subarray(0, 3333));
  running.update(data.subarray(3333));
  expect(running.digest()).toEqual(checksumsOf(data, true));
  expect(checksumsOf(data, false).md5).toBeUndefined();
});
