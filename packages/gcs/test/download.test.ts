/**
 * Downloads from fake-gcs-server over signed GETs: X-Goog-Hash checked, and a
 * cut connection resumed with Range from the bytes already on disk.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checksumsOf, isFileXferError, TransferManager } from '@filexfer/core';
import { createBucket, emulatorAdapter, patterned, putRaw, RecordingTransport, tempDir } from './helpers.js';
import type { GcsAdapter } from '../src/index.js';

let bucket: string;
let adapter: GcsAdapter;
let transport: RecordingTransport;
let manager: TransferManager;
let files: Awaited<ReturnType<typeof tempDir>>;
const data = patterned(3 * 1024 * 1024 + 777, 21);

beforeAll(async () => {
  bucket = await createBucket('download');
  adapter = emulatorAdapter(bucket);
  transport = new RecordingTransport();
  manager = new TransferManager({ adapter, transport, retry: { retries: 3, baseDelayMs: 5, maxDelayMs: 20 }, progressIntervalMs: 0 });
  files = await tempDir();
  await putRaw(bucket, 'shared/file.bin', data);
});
afterAll(async () => {
  await manager.close();
  await files.cleanup();
});
beforeEach(() => {
  transport.sent.length = 0;
  transport.damageDownloads = false;
});

test('a signed GET whose X-Goog-Hash the adapter reads and the engine checks', async () => {
  const url = await adapter.presignDownload('shared/file.bin', { expiresIn: 600 });
  expect(url.startsWith(`${adapter.endpoint}/${bucket}/shared/file.bin?`)).toBe(true);
  const dest = join(files.dir, 'plain.out');
  const info = await manager.download(url, dest);
  expect((await readFile(dest)).equals(data)).toBe(true);
  const get = transport.sent[0]!;
  expect(get.status).toBe(200);
  const sums = checksumsOf(data, true);
  expect(adapter.checksumsFromResponse({ status: 200, headers: { 'x-goog-hash': get.reply['x-goog-hash']! } })).toEqual({ crc32c: sums.crc32c, md5: sums.md5 });
  expect(info.checksum?.crc32c).toBe(sums.crc32c);
});

test('bytes changed on the way down fail the X-Goog-Hash check, and nothing is left on disk', async () => {
  transport.damageDownloads = true;
  const url = await adapter.presignDownload('shared/file.bin');
  const dest = join(files.dir, 'damaged.out');
  const error = await manager.download(url, dest).catch((e: unknown) => e);
  expect(isFileXferError(error, 'ChecksumMismatch')).toBe(true);
  expect(existsSync(dest)).toBe(false);
});

test('a connection cut mid-way resumes with Range from where the bytes on disk end', async () => {
  transport.cutNextDownloadAfter = 1_000_000;
  const url = await adapter.presignDownload('shared/file.bin');
  const dest = join(files.dir, 'cut.out');
  await manager.download(url, dest);
  expect((await readFile(dest)).equals(data)).toBe(true);
  expect(transport.sent).toHaveLength(2);
  expect(transport.sent[0]!.headers.range).toBeUndefined();
  const resumed = transport.sent[1]!;
  const from = Number(/^bytes=(\d+)-$/.exec(resumed.headers.range!)![1]);
  expect(from).toBeGreaterThan(0);
  expect(from).toBeLessThanOrEqual(1_000_000);
  expect(resumed.status).toBe(206);
  expect(resumed.reply['content-range']).toBe(`bytes ${from}-${data.length - 1}/${data.length}`);
});

test('a key that is not there is NotFound', async () => {
  const url = await adapter.presignDownload('shared/nothing.bin');
  const error = await manager.download(url, join(files.dir, 'none.out')).catch((e: unknown) => e);
  expect(isFileXferError(error, 'NotFound')).toBe(true);
  expect(await adapter.stat('shared/nothing.bin')).toBeNull();
});
