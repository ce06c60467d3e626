import { randomBytes } from 'node:crypto';
import { checksumsOf } from '@filexfer/core';
import { CrcChain } from './crc-chain.js';

const crc = (b: Buffer) => checksumsOf(b, false).crc32c;

test('the CRC32C of requests that tile [0, end) equals the CRC32C of the whole', () => {
  const data = randomBytes(1_000_003);
  const chain = new CrcChain();
  for (const [start, end] of [[0, 262144], [262144, 524288], [524288, 1_000_003]] as const) chain.add(start, end - start, crc(data.subarray(start, end)));
  expect(chain.wholeUpTo(data.length)).toBe(crc(data));
});

test('a request re-sent from a persisted offset (short 308) still chains', () => {
  const data = randomBytes(600_000);
  const chain = new CrcChain();
  chain.add(0, 524288, crc(data.subarray(0, 524288))); // sent whole, GCS kept 262144
  chain.add(262144, 262144, crc(data.subarray(262144, 524288))); // the rest re-sent
  chain.add(524288, 600_000 - 524288, crc(data.subarray(524288)));
  expect(chain.wholeUpTo(600_000)).toBe(crc(data));
});

test('a missing piece (a session resumed in another process) gives undefined, never a wrong value', () => {
  const data = randomBytes(300_000);
  const chain = new CrcChain();
  chain.add(262144, 300_000 - 262144, crc(data.subarray(262144)));
  expect(chain.wholeUpTo(300_000)).toBeUndefined();
});
