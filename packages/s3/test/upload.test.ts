/**
 * Uploads over presigned URLs only (issue 5, points 2 and 3), against MinIO:
 * one signed PUT below the part size, a multipart upload above it with each
 * part signed when it is about to go out, CRC32C per part checked by the
 * store, the whole-object CRC32C checked at Complete and kept, and no
 * multipart upload left behind by a stop or a failure.
 */
import { existsSync } from 'node:fs';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { checksumsOf, isFileXferError, TransferManager, type CompletedPart, type PartsUpload } from '@filexfer/core';
import { TestFiles } from '@filexfer/core/testing';
import type { S3Adapter } from '@filexfer/s3';
import { adapterFor, createBucket, RecordingTransport, send, spyAdapter, type TestBucket } from './helpers.js';

const MiB = 1024 * 1024;
const partSize = 5 * MiB;

let bucket: TestBucket;
let adapter: S3Adapter;
let files: TestFiles;

beforeAll(async () => {
  bucket = await createBucket('upload');
  adapter = adapterFor(bucket.name);
  files = await TestFiles.create();
});

afterAll(async () => {
  await adapter?.close();
  await files?.remove();
  await bucket?.remove();
});

function manager(options: { adapter?: import('@filexfer/core').StorageAdapter; transport?: RecordingTransport; partConcurrency?: number } = {}) {
  return new TransferManager({
    adapter: options.adapter ?? adapter,
    transport: options.transport,
    partSize,
    partConcurrency: options.partConcurrency ?? 4,
    retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 50 },
    progressIntervalMs: 0,
  });
}

describe('below the part size', () => {
  it('sends one presigned PUT carrying the CRC32C as a signed header, and S3 keeps it', async () => {
    const src = await files.make('single.bin', 3 * MiB);
    const transport = new RecordingTransport();
    const m = manager({ transport });
    const up = await m.upload(src.path, { key: 'single/one.bin', contentType: 'application/x-test' });
    await m.close();
    const crc32c = checksumsOf(src.data, false).crc32c;

    expect(transport.requests).toHaveLength(1);
    const put = transport.requests[0]!;
    expect(put.method).toBe('PUT');
    expect(put.url.searchParams.has('uploadId')).toBe(false);
    expect(put.url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-amz-checksum-crc32c');
    expect(put.headers['x-amz-checksum-crc32c']).toBe(crc32c);
    expect(put.status).toBe(200);

    expect(up.checksum?.crc32c).toBe(crc32c);
    const info = await adapter.stat('single/one.bin');
    expect(info).toMatchObject({ size: 3 * MiB, crc32c, contentType: 'application/x-test' });
  });

  it('a body that does not match its signed CRC32C is refused by the store (ChecksumMismatch)', async () => {
    const src = await files.make('single-bad.bin', 1000);
    const transport = new RecordingTransport();
    // Corrupt the bytes on their way out, after the engine computed their checksum.
    const inner = transport.send.bind(transport);
    transport.send = (req) => inner(req.body ? { ...req, body: Buffer.from(req.body).fill(7, 0, 10) } : req);
    const m = manager({ transport });
    const error = await m.upload(src.path, { key: 'single/corrupt.bin' }).catch((e: unknown) => e);
    await m.close();
    expect(isFileXferError(error, 'ChecksumMismatch')).toBe(true);
    expect(transport.requests[0]!.status).toBe(400);
    expect(await adapter.stat('single/corrupt.bin')).toBeNull();
  });
});

describe('above the part size', () => {
  it('creates a multipart upload, signs each part when it is needed, and completes it', async () => {
    const size = 3 * partSize + 12_345;
    const src = await files.make('multi.bin', size);
    const transport = new RecordingTransport();
    const spy = spyAdapter(adapter);
    // One part at a time makes the order plain: part n+1 is signed only after part n was answered.
    const m = manager({ adapter: spy.adapter, transport, partConcurrency: 1 });
    const up = await m.upload(src.path, { key: 'multi/four-parts.bin' });
    await m.close();

    expect(spy.events.map((e) => `${e.type}${e.part ?? ''}`)).toEqual(['create', 'sign1', 'read1', 'sign2', 'read2', 'sign3', 'read3', 'sign4', 'read4', 'complete']);
    const puts = transport.partPuts();
    expect(puts.map((p) => p.url.searchParams.get('partNumber'))).toEqual(['1', '2', '3', '4']);
    for (const [i, put] of puts.entries()) {
      const slice = src.data.subarray(i * partSize, Math.min(size, (i + 1) * partSize));
      expect(put.url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-amz-checksum-crc32c');
      expect(put.headers['x-amz-checksum-crc32c']).toBe(checksumsOf(slice, false).crc32c);
      expect(put.status).toBe(200);
    }

    // The whole-object CRC32C (FULL_OBJECT) is what S3 keeps and reports.
    const crc32c = checksumsOf(src.data, false).crc32c;
    expect(up.checksum?.crc32c).toBe(crc32c);
    expect(await adapter.stat('multi/four-parts.bin')).toMatchObject({ size, crc32c });
    expect(await bucket.openUploads('multi/')).toEqual([]);
  });

  it('signs parts lazily with parallel parts too: never more signatures than parts, none before creation', async () => {
    const src = await files.make('multi-par.bin', 6 * partSize);
    const spy = spyAdapter(adapter);
    const m = manager({ adapter: spy.adapter, partConcurrency: 2 });
    await m.upload(src.path, { key: 'multi/parallel.bin' });
    await m.close();
    const types = spy.events.map((e) => e.type);
    expect(types.filter((t) => t === 'sign')).toHaveLength(6);
    // With two parts in flight, at most two signatures are outstanding before the first reply.
    expect(types.indexOf('read')).toBeLessThanOrEqual(3);
    expect(types.slice(0, types.indexOf('read')).filter((t) => t === 'sign').length).toBeLessThanOrEqual(2);
  });

  it('a part that does not match its signed CRC32C is refused by the store, and the upload is aborted', async () => {
    const src = await files.make('multi-bad.bin', 3 * partSize);
    const transport = new RecordingTransport();
    const inner = transport.send.bind(transport);
    transport.send = (req) => inner(req.body && new URL(req.url).searchParams.get('partNumber') === '2' ? { ...req, body: Buffer.from(req.body).fill(1, 0, 100) } : req);
    const m = manager({ transport, partConcurrency: 1 });
    const error = await m.upload(src.path, { key: 'multi/corrupt.bin' }).catch((e: unknown) => e);
    await m.close();
    expect(isFileXferError(error, 'ChecksumMismatch')).toBe(true);
    expect((error as Error).message).toMatch(/XAmzContentChecksumMismatch|BadDigest/);
    expect(await bucket.openUploads('multi/corrupt')).toEqual([]);
    expect(await adapter.stat('multi/corrupt.bin')).toBeNull();
  });

  it('the store refuses to complete when the whole-object CRC32C is wrong', async () => {
    const data = (await files.make('whole-bad.bin', partSize + 10)).data;
    const plan = (await adapter.createUpload({ key: 'multi/whole-bad.bin', size: data.length, expiresIn: 300, partSize })) as PartsUpload;
    expect(plan.kind).toBe('parts');
    const parts: CompletedPart[] = [];
    for (const [n, slice] of [data.subarray(0, partSize), data.subarray(partSize)].entries()) {
      const spec = { partNumber: n + 1, offset: n * partSize, size: slice.length, isLast: n === 1 };
      const checksums = checksumsOf(slice, false);
      const reply = await send(await plan.signPart(spec, checksums), slice);
      expect(reply.status).toBe(200);
      parts.push(plan.readPart(spec, checksums, reply).part);
    }
    const wrong = checksumsOf(Buffer.from('something else'), false).crc32c;
    const error = await plan.complete(parts, { size: data.length, crc32c: wrong }).catch((e: unknown) => e);
    expect(isFileXferError(error, 'ChecksumMismatch')).toBe(true);
    // The engine aborts after a failed complete; so does this test.
    await plan.abort();
    await plan.abort(); // idempotent
    expect(await bucket.openUploads('multi/whole-bad')).toEqual([]);
    expect(await adapter.stat('multi/whole-bad.bin')).toBeNull();
  });

  it('stopping mid-way aborts the multipart upload: no parts and no object are left', async () => {
    const src = await files.make('multi-stop.bin', 8 * partSize);
    const spy = spyAdapter(adapter);
    const m = manager({ adapter: spy.adapter, partConcurrency: 1 });
    const controller = new AbortController();
    const done = m.upload(src.path, {
      key: 'multi/stopped.bin',
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytesTransferred > partSize) controller.abort();
      },
    });
    const error = await done.catch((e: unknown) => e);
    await m.close();
    expect(isFileXferError(error, 'Aborted')).toBe(true);
    expect(spy.events.some((e) => e.type === 'abort')).toBe(true);
    expect(await bucket.openUploads('multi/stopped')).toEqual([]);
    expect(await adapter.stat('multi/stopped.bin')).toBeNull();
  });

  it('a part refused for good (bad signature) fails the upload and aborts it', async () => {
    const src = await files.make('multi-fail.bin', 4 * partSize);
    const spy = spyAdapter(adapter, {
      signPart: async (part, _c, real) => {
        const req = await real();
        if (part.partNumber !== 3) return req;
        const url = new URL(req.url);
        url.searchParams.set('X-Amz-Signature', '0'.repeat(64));
        return { ...req, url: url.toString() };
      },
    });
    const m = manager({ adapter: spy.adapter, partConcurrency: 1 });
    const error = await m.upload(src.path, { key: 'multi/failed.bin' }).catch((e: unknown) => e);
    await m.close();
    expect(isFileXferError(error, 'Unauthenticated')).toBe(true);
    expect((error as Error).message).toContain('SignatureDoesNotMatch');
    expect(spy.events.some((e) => e.type === 'abort')).toBe(true);
    expect(await bucket.openUploads('multi/failed')).toEqual([]);
    expect(await adapter.stat('multi/failed.bin')).toBeNull();
  });
});

describe("checksumType: 'COMPOSITE' (for stores such as R2 that keep CRC32C only that way)", () => {
  it('still checks every part, completes, and round-trips; the store then keeps no whole-object CRC32C', async () => {
    const composite = adapterFor(bucket.name, { checksumType: 'COMPOSITE' });
    const src = await files.make('composite.bin', 2 * partSize + 77);
    const transport = new RecordingTransport();
    const m = manager({ adapter: composite, transport });
    const up = await m.upload(src.path, { key: 'composite/a.bin' });
    for (const put of transport.partPuts()) expect(put.url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-amz-checksum-crc32c');
    expect(up.checksum?.crc32c).toBe(checksumsOf(src.data, false).crc32c);
    const info = await composite.stat('composite/a.bin');
    expect(info?.size).toBe(src.data.length);
    expect(info?.crc32c).toBeUndefined();
    const dest = files.path('composite.out');
    await m.download(up.url, dest, { checksum: up.checksum });
    expect(await files.sha256Of(dest)).toBe(src.sha256);
    await m.close();
    await composite.close();
  });
});

describe('the whole-object checksum on download', () => {
  it('is verified: an object replaced behind the sender\'s back fails with ChecksumMismatch and writes nothing', async () => {
    const src = await files.make('verify.bin', 2 * partSize + 1);
    const m = manager();
    const up = await m.upload(src.path, { key: 'verify/replaced.bin' });
    // Same size, other bytes.
    await bucket.client.send(new PutObjectCommand({ Bucket: bucket.name, Key: 'verify/replaced.bin', Body: Buffer.alloc(src.data.length, 3) }));
    const dest = files.path('verify.out');
    const error = await m.download(up.url, dest, { checksum: up.checksum, size: up.size }).catch((e: unknown) => e);
    await m.close();
    expect(isFileXferError(error, 'ChecksumMismatch')).toBe(true);
    expect(existsSync(dest)).toBe(false);
  });

  it('stat() reports the stored CRC32C for single and multipart objects alike', async () => {
    const m = manager();
    for (const size of [10, 2 * partSize + 3]) {
      const src = await files.make(`stat-${size}.bin`, size);
      const up = await m.upload(src.path, { key: `verify/stat-${size}.bin` });
      const info = await adapter.stat(up.key);
      expect(info?.crc32c).toBe(checksumsOf(src.data, false).crc32c);
      expect(info?.size).toBe(size);
    }
    await m.close();
  });
});
