/**
 * Uploads against fake-gcs-server (`pnpm emulators:start gcs`): the signed
 * PUT, the resumable session in 256 KiB-multiple chunks, and the check of the
 * stored object's hashes. What the emulator does not do (check x-goog-hash,
 * short 308s, re-sent chunks) is in src/protocol.test.ts.
 */
import { isFileXferError, TransferManager, checksumsOf } from '@filexfer/core';
import { createBucket, emulatorAdapter, emulatorObject, patterned, RecordingTransport, tempDir } from './helpers.js';
import type { GcsAdapter } from '../src/index.js';

const KiB256 = 256 * 1024;
let bucket: string;
let adapter: GcsAdapter;
let transport: RecordingTransport;
let manager: TransferManager;
let files: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  bucket = await createBucket('upload');
  adapter = emulatorAdapter(bucket);
  transport = new RecordingTransport();
  manager = new TransferManager({ adapter, transport, partSize: 1024 * 1024, retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 20 }, progressIntervalMs: 0 });
  files = await tempDir();
});
afterAll(async () => {
  await manager.close();
  await files.cleanup();
});
beforeEach(() => {
  transport.sent.length = 0;
  transport.alterBody = undefined;
});

test('up to the part size: one signed PUT with x-goog-hash, and the stored hashes match what was sent', async () => {
  const data = patterned(300_000, 7);
  const path = await files.file('single.bin', data);
  const info = await manager.upload(path, { key: 'single/one.bin', contentType: 'image/png', metadata: { chat: 'c-1' } });
  const sums = checksumsOf(data, true);
  expect(transport.sent).toHaveLength(1);
  const put = transport.sent[0]!;
  expect(put.method).toBe('PUT');
  expect(put.url).toBe(`${adapter.endpoint}/${bucket}/single/one.bin`);
  expect(put.query).toEqual(expect.arrayContaining(['X-Goog-Algorithm', 'X-Goog-Signature', 'X-Goog-SignedHeaders']));
  expect(put.headers['x-goog-hash']).toBe(`crc32c=${sums.crc32c},md5=${sums.md5}`);
  expect(put.headers['content-type']).toBe('image/png');
  expect(info.checksum).toEqual({ crc32c: sums.crc32c, md5: sums.md5 });
  const stored = await emulatorObject(bucket, 'single/one.bin');
  expect(stored).toMatchObject({ size: '300000', crc32c: sums.crc32c, md5Hash: sums.md5, contentType: 'image/png', metadata: { chat: 'c-1' } });
  expect(await adapter.stat('single/one.bin')).toMatchObject({ size: 300_000, crc32c: sums.crc32c, md5: sums.md5 });
});

test('above it: a session from a signed POST, chunks in order of a multiple of 256 KiB, progress to 100', async () => {
  const size = 3 * 1024 * 1024 + 12_345;
  const data = patterned(size, 8);
  const path = await files.file('session.bin', data);
  const progress: number[] = [];
  const info = await manager.upload(path, { key: 'session/big.bin', contentType: 'video/mp4', metadata: { chat: 'c-2' }, partSize: 1000 * 1000, onProgress: (p) => progress.push(p.bytesTransferred) });
  // The session start is the adapter's own request; the engine sends only the chunks.
  const chunks = transport.sent;
  expect(chunks.every((c) => c.method === 'PUT' && c.query.includes('upload_id'))).toBe(true);
  expect(chunks.every((c) => !c.query.includes('X-Goog-Signature'))).toBe(true); // a session URI needs no signature
  // 1,000,000 bytes rounds up to 1 MiB (4 x 256 KiB).
  let next = 0;
  for (const [i, c] of chunks.entries()) {
    const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(c.headers['content-range']!)!;
    expect(Number(m[1])).toBe(next);
    expect(Number(m[3])).toBe(size);
    const length = Number(m[2]) - Number(m[1]) + 1;
    expect(length).toBe(c.bodyLength);
    if (i < chunks.length - 1) {
      expect(length).toBe(4 * KiB256);
      expect(c.status).toBe(308);
      expect(c.reply.range).toBe(`bytes=0-${Number(m[2])}`);
    } else expect(c.status).toBe(200);
    next = Number(m[2]) + 1;
  }
  expect(next).toBe(size);
  expect(chunks).toHaveLength(4);
  // The last chunk carries the whole object's CRC32C, put together from the chunks'.
  expect(chunks[3]!.headers['x-goog-hash']).toBe(`crc32c=${checksumsOf(data, false).crc32c}`);
  expect(progress.every((p, i) => i === 0 || p >= progress[i - 1]!)).toBe(true);
  expect(progress[progress.length - 1]).toBe(size);
  expect(info.progress).toBe(100);
  const stored = await emulatorObject(bucket, 'session/big.bin');
  expect(stored).toMatchObject({ size: String(size), crc32c: checksumsOf(data, false).crc32c, contentType: 'video/mp4', metadata: { chat: 'c-2' } });
  expect(info.checksum?.crc32c).toBe(stored!.crc32c);
});

test.each([
  ['a single PUT', 200_000],
  ['a resumable session', 2 * 1024 * 1024 + 1],
])('%s whose bytes arrive changed is caught against the stored hashes and the object deleted', async (_label, size) => {
  // fake-gcs-server ignores x-goog-hash, so the damaged bytes get stored: the
  // adapter's comparison with the object's metadata is what catches them.
  const data = patterned(size, 9);
  const path = await files.file(`damaged-${size}.bin`, data);
  transport.alterBody = (request) => {
    if (!request.body || request.body.byteLength === 0 || (request.headers?.['content-range'] ?? 'bytes 0-').startsWith('bytes 0-') === false) return undefined;
    const copy = Buffer.from(request.body);
    copy[0] ^= 0xff;
    return copy;
  };
  const error = await manager.upload(path, { key: `damaged/${size}.bin` }).catch((e: unknown) => e);
  expect(isFileXferError(error, 'ChecksumMismatch')).toBe(true);
  expect((error as Error).message).toMatch(/differs from the bytes sent.*deleted/);
  expect(await emulatorObject(bucket, `damaged/${size}.bin`)).toBeNull();
});

test('a zero-byte file is one PUT and stat reports the empty object', async () => {
  const path = await files.file('empty.bin', Buffer.alloc(0));
  await manager.upload(path, { key: 'empty.bin' });
  expect(transport.sent.map((s) => [s.method, s.bodyLength])).toEqual([['PUT', 0]]);
  expect(await adapter.stat('empty.bin')).toMatchObject({ size: 0, crc32c: 'AAAAAA==' });
});
