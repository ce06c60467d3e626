/**
 * Downloads over presigned GET (issue 5, point 4) against MinIO: a cut
 * connection resumes with Range + If-Match, within a run and across runs.
 */
import { existsSync, statSync } from 'node:fs';
import { checksumsOf, isFileXferError, partialPaths, TransferManager } from '@filexfer/core';
import { TestFiles } from '@filexfer/core/testing';
import type { S3Adapter } from '@filexfer/s3';
import { adapterFor, createBucket, cutAfter, RecordingTransport, type TestBucket } from './helpers.js';

const MiB = 1024 * 1024;
let bucket: TestBucket;
let adapter: S3Adapter;
let files: TestFiles;
let source: { path: string; sha256: string; data: Buffer };
let url: string;

beforeAll(async () => {
  bucket = await createBucket('download');
  adapter = adapterFor(bucket.name);
  files = await TestFiles.create();
  source = await files.make('source.bin', 12 * MiB + 321);
  const m = new TransferManager({ adapter, partSize: 5 * MiB });
  url = (await m.upload(source.path, { key: 'dl/source.bin' })).url;
  await m.close();
});

afterAll(async () => {
  await adapter?.close();
  await files?.remove();
  await bucket?.remove();
});

function manager(transport: RecordingTransport, retries = 3) {
  return new TransferManager({ adapter, transport, retry: { retries, baseDelayMs: 10, maxDelayMs: 50 }, progressIntervalMs: 0 });
}

it('the download URL is a presigned GET that needs no headers', async () => {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(Buffer.from(await res.arrayBuffer()).equals(source.data)).toBe(true);
  const u = new URL(url);
  expect(u.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
  expect(u.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
});

it('a connection cut mid-way resumes with Range and If-Match in the same run', async () => {
  const transport = new RecordingTransport();
  transport.after = (_req, res, index) => (index === 0 ? cutAfter(res, 3 * MiB + 17) : res);
  const m = manager(transport);
  const dest = files.path('cut-once.out');
  await m.download(url, dest, { checksum: { crc32c: checksumsOf(source.data, false).crc32c }, size: source.data.length });
  await m.close();

  expect(await files.sha256Of(dest)).toBe(source.sha256);
  expect(transport.requests.map((r) => r.status)).toEqual([200, 206]);
  const resumed = transport.requests[1]!;
  expect(resumed.headers.range).toBe(`bytes=${3 * MiB + 17}-`);
  expect(resumed.headers['if-match']).toMatch(/^".+"$/);
  expect(existsSync(partialPaths(dest).data)).toBe(false);
});

it('a download cut in one run resumes from the partial file in the next', async () => {
  const dest = files.path('cut-across-runs.out');
  const first = new RecordingTransport();
  first.after = (_req, res) => cutAfter(res, 5 * MiB);
  const m1 = manager(first, 0);
  const error = await m1.download(url, dest).catch((e: unknown) => e);
  await m1.close();
  expect(isFileXferError(error, 'Network')).toBe(true);
  expect(existsSync(dest)).toBe(false);
  expect(statSync(partialPaths(dest).data).size).toBe(5 * MiB);

  const second = new RecordingTransport();
  const m2 = manager(second);
  await m2.download(url, dest);
  await m2.close();
  expect(second.requests).toHaveLength(1);
  expect(second.requests[0]!.headers.range).toBe(`bytes=${5 * MiB}-`);
  expect(second.requests[0]!.status).toBe(206);
  expect(await files.sha256Of(dest)).toBe(source.sha256);
});

it('the stored CRC32C comes back with a whole-object GET that asks for it (x-amz-checksum-mode), never with a range', async () => {
  const full = await fetch(url, { headers: { 'x-amz-checksum-mode': 'ENABLED' } });
  const headers: Record<string, string> = {};
  full.headers.forEach((v, k) => (headers[k] = v));
  await full.arrayBuffer();
  expect(adapter.checksumsFromResponse({ status: full.status, headers })).toEqual({ crc32c: checksumsOf(source.data, false).crc32c });

  const ranged = await fetch(url, { headers: { 'x-amz-checksum-mode': 'ENABLED', range: 'bytes=10-' } });
  const rangedHeaders: Record<string, string> = {};
  ranged.headers.forEach((v, k) => (rangedHeaders[k] = v));
  await ranged.arrayBuffer();
  expect(ranged.status).toBe(206);
  expect(adapter.checksumsFromResponse({ status: ranged.status, headers: rangedHeaders })).toEqual({});
});
