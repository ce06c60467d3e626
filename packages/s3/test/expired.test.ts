/**
 * An expired presigned URL is signed again and retried, not failed (issue 5,
 * point 6). MinIO checks SigV4 expiry, so these URLs really are expired: they
 * carry a valid signature made two hours ago with a one-minute lifetime.
 */
import { GetObjectCommand, PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { checksumsOf, TransferManager, type PartsUpload } from '@filexfer/core';
import { TestFiles } from '@filexfer/core/testing';
import type { S3Adapter } from '@filexfer/s3';
import { adapterFor, createBucket, expiredRequest, RecordingTransport, send, spyAdapter, type TestBucket } from './helpers.js';

const MiB = 1024 * 1024;
const partSize = 5 * MiB;
let bucket: TestBucket;
let adapter: S3Adapter;
let files: TestFiles;

beforeAll(async () => {
  bucket = await createBucket('expired');
  adapter = adapterFor(bucket.name);
  files = await TestFiles.create();
});

afterAll(async () => {
  await adapter?.close();
  await files?.remove();
  await bucket?.remove();
});

it("MinIO's reply to an expired URL is classified Expired (retryable), with no signature in the message", async () => {
  await bucket.client.send(new PutObjectCommand({ Bucket: bucket.name, Key: 'exp/x.txt', Body: 'x' }));
  const req = await expiredRequest(new GetObjectCommand({ Bucket: bucket.name, Key: 'exp/x.txt' }));
  const reply = await send(req);
  expect(reply.status).toBe(403);
  const classified = adapter.classifyError(reply);
  expect(classified?.code).toBe('Expired');
  expect(classified?.message).toMatch(/Request has expired/);
  expect(classified?.message).not.toContain(new URL(req.url).searchParams.get('X-Amz-Signature')!);
});

it('a single PUT whose first URL expired is signed again and succeeds', async () => {
  const src = await files.make('single.bin', 1 * MiB);
  let first = true;
  const spy = spyAdapter(adapter, {
    sign: async (checksums, real) => {
      if (!first) return real();
      first = false;
      const command = new PutObjectCommand({ Bucket: bucket.name, Key: 'exp/single.bin', ChecksumCRC32C: checksums.crc32c });
      return expiredRequest(command, { 'x-amz-checksum-crc32c': checksums.crc32c });
    },
  });
  const transport = new RecordingTransport();
  const m = new TransferManager({ adapter: spy.adapter, transport, partSize, retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 50 } });
  const up = await m.upload(src.path, { key: 'exp/single.bin' });
  await m.close();
  expect(transport.requests.map((r) => r.status)).toEqual([403, 200]);
  expect(spy.events.filter((e) => e.type === 'sign')).toHaveLength(2);
  expect(await adapter.stat(up.key)).toMatchObject({ size: 1 * MiB, crc32c: up.checksum?.crc32c });
});

it('every part whose first URL expired is signed again and the multipart upload completes', async () => {
  const src = await files.make('multi.bin', 3 * partSize + 1);
  const expiredOnce = new Set<number>();
  let uploadId = '';
  const spy = spyAdapter(adapter, {
    signPart: async (part, checksums, real) => {
      const fresh = await real();
      uploadId = new URL(fresh.url).searchParams.get('uploadId')!;
      if (expiredOnce.has(part.partNumber)) return fresh;
      expiredOnce.add(part.partNumber);
      const command = new UploadPartCommand({ Bucket: bucket.name, Key: 'exp/multi.bin', UploadId: uploadId, PartNumber: part.partNumber, ChecksumCRC32C: checksums.crc32c });
      return expiredRequest(command, { 'x-amz-checksum-crc32c': checksums.crc32c });
    },
  });
  const transport = new RecordingTransport();
  const m = new TransferManager({ adapter: spy.adapter, transport, partSize, partConcurrency: 2, retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 50 }, progressIntervalMs: 0 });
  const up = await m.upload(src.path, { key: 'exp/multi.bin' });
  await m.close();
  const byPart = new Map<string, number[]>();
  for (const r of transport.partPuts()) byPart.set(r.url.searchParams.get('partNumber')!, [...(byPart.get(r.url.searchParams.get('partNumber')!) ?? []), r.status!]);
  expect([...byPart.entries()].sort()).toEqual([
    ['1', [403, 200]],
    ['2', [403, 200]],
    ['3', [403, 200]],
    ['4', [403, 200]],
  ]);
  const dest = files.path('multi.out');
  const m2 = new TransferManager({ adapter });
  await m2.download(up.url, dest, { checksum: up.checksum });
  await m2.close();
  expect(await files.sha256Of(dest)).toBe(src.sha256);
});

it('a URL signed with a short lifetime really expires on MinIO, and a fresh signature works', async () => {
  const data = Buffer.alloc(partSize + 1, 9);
  const plan = (await adapter.createUpload({ key: 'exp/short.bin', size: data.length, expiresIn: 1, partSize })) as PartsUpload;
  const spec = { partNumber: 1, offset: 0, size: partSize, isLast: false };
  const checksums = checksumsOf(data.subarray(0, partSize), false);
  const stale = await plan.signPart(spec, checksums);
  await new Promise((r) => setTimeout(r, 2100));
  const refused = await send(stale, data.subarray(0, partSize));
  expect(adapter.classifyError(refused)?.code).toBe('Expired');
  const accepted = await send(await plan.signPart(spec, checksums), data.subarray(0, partSize));
  expect(accepted.status).toBe(200);
  await plan.abort();
  expect(await bucket.openUploads('exp/short')).toEqual([]);
}, 20_000);
