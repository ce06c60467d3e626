/**
 * Resume from the serialisable upload state (issue 5, point 5) against MinIO:
 * ListParts tells what the store holds, and only the missing parts go again.
 */
import { checksumsOf, isFileXferError, TransferManager, type PartsUpload, type UploadState } from '@filexfer/core';
import { TestFiles } from '@filexfer/core/testing';
import type { S3Adapter } from '@filexfer/s3';
import { adapterFor, createBucket, RecordingTransport, send, spyAdapter, type TestBucket } from './helpers.js';

const MiB = 1024 * 1024;
const partSize = 5 * MiB;
let bucket: TestBucket;
let files: TestFiles;

beforeAll(async () => {
  bucket = await createBucket('resume');
  files = await TestFiles.create();
});

afterAll(async () => {
  await files?.remove();
  await bucket?.remove();
});

/** Starts an upload and sends only `partNumbers`, as a process that crashed half-way would have. */
async function interruptedUpload(adapter: S3Adapter, key: string, data: Buffer, partNumbers: number[]): Promise<string> {
  const plan = (await adapter.createUpload({ key, size: data.length, expiresIn: 300, partSize })) as PartsUpload;
  expect(plan.kind).toBe('parts');
  for (const n of partNumbers) {
    const offset = (n - 1) * plan.partSize;
    const slice = data.subarray(offset, Math.min(data.length, offset + plan.partSize));
    const spec = { partNumber: n, offset, size: slice.length, isLast: offset + slice.length === data.length };
    const reply = await send(await plan.signPart(spec, checksumsOf(slice, false)), slice);
    expect(reply.status).toBe(200);
  }
  return JSON.stringify(plan.state);
}

it('a new process resumes from the JSON state and sends only the missing parts', async () => {
  const src = await files.make('resume.bin', 3 * partSize + 999);
  const saved = await interruptedUpload(adapterFor(bucket.name), 'resume/a.bin', src.data, [1, 3]);

  // "Another process": a fresh adapter, the state read back from JSON.
  const adapter = adapterFor(bucket.name);
  const state = JSON.parse(saved) as UploadState;
  expect(state).toMatchObject({ adapter: 's3', bucket: bucket.name, key: 'resume/a.bin', size: src.data.length, partSize });
  const held = await (await adapter.resumeUpload(state)).listParts();
  expect(held.map((p) => [p.partNumber, p.size])).toEqual([
    [1, partSize],
    [3, partSize],
  ]);
  expect(held[0]!.crc32c).toBe(checksumsOf(src.data.subarray(0, partSize), false).crc32c);

  const transport = new RecordingTransport();
  const spy = spyAdapter(adapter);
  const m = new TransferManager({ adapter: spy.adapter, transport, partSize, progressIntervalMs: 0 });
  const percents: number[] = [];
  const up = await m.resumeUpload(src.path, state, { onProgress: (p) => percents.push(p.percent) });
  expect(transport.partPuts().map((r) => r.url.searchParams.get('partNumber')).sort()).toEqual(['2', '4']);
  expect(spy.events.filter((e) => e.type === 'sign').map((e) => e.part).sort()).toEqual([2, 4]);
  expect(percents[percents.length - 1]).toBe(100);

  expect(up.checksum?.crc32c).toBe(checksumsOf(src.data, false).crc32c);
  const dest = files.path('resume.out');
  await m.download(up.url, dest, { checksum: up.checksum });
  expect(await files.sha256Of(dest)).toBe(src.sha256);
  expect(await bucket.openUploads('resume/a')).toEqual([]);
  await m.close();
  await adapter.close();
});

it('a part the store holds with other bytes (the file changed) is sent again', async () => {
  const original = await files.make('resume-changed.bin', 2 * partSize + 5);
  const adapter = adapterFor(bucket.name);
  const saved = await interruptedUpload(adapter, 'resume/changed.bin', original.data, [1, 2]);
  const changed = await files.make('resume-changed.bin', original.data.length); // same size, new bytes
  const transport = new RecordingTransport();
  const m = new TransferManager({ adapter, transport, partSize, progressIntervalMs: 0 });
  const up = await m.resumeUpload(changed.path, JSON.parse(saved) as UploadState);
  expect(transport.partPuts().map((r) => r.url.searchParams.get('partNumber')).sort()).toEqual(['1', '2', '3']);
  const dest = files.path('resume-changed.out');
  await m.download(up.url, dest, { checksum: up.checksum });
  expect(await files.sha256Of(dest)).toBe(changed.sha256);
  await m.close();
  await adapter.close();
});

it('resuming an upload that was aborted says to start again', async () => {
  const src = await files.make('resume-gone.bin', partSize + 1);
  const adapter = adapterFor(bucket.name);
  const saved = JSON.parse(await interruptedUpload(adapter, 'resume/gone.bin', src.data, [1])) as UploadState;
  await (await adapter.resumeUpload(saved)).abort();
  const error = await (await adapter.resumeUpload(saved)).listParts().catch((e: unknown) => e);
  expect(isFileXferError(error, 'NotFound')).toBe(true);
  expect((error as Error).message).toMatch(/NoSuchUpload.*start the upload again/);
  await adapter.close();
});

it('refuses a state from another adapter or bucket', async () => {
  const adapter = adapterFor(bucket.name);
  const state = { adapter: 's3', bucket: 'another-bucket', key: 'k', size: 10 * MiB, partSize, uploadId: 'x' };
  await expect(adapter.resumeUpload(state)).rejects.toMatchObject({ code: 'InvalidInput', message: expect.stringContaining('another-bucket') });
  await expect(adapter.resumeUpload({ adapter: 'gcs', key: 'k', size: 1, partSize: 1 })).rejects.toMatchObject({ code: 'InvalidInput' });
  await adapter.close();
});

it('complete() takes ETags and CRC32Cs it was not given from ListParts (parts from an older journal)', async () => {
  const src = await files.make('resume-bare.bin', partSize + 3);
  const adapter = adapterFor(bucket.name);
  const state = JSON.parse(await interruptedUpload(adapter, 'resume/bare.bin', src.data, [1, 2])) as UploadState;
  const plan = await adapter.resumeUpload(state);
  const bare = [
    { partNumber: 1, size: partSize },
    { partNumber: 2, size: 3 },
  ];
  const info = await plan.complete(bare, { size: src.data.length, crc32c: checksumsOf(src.data, false).crc32c });
  expect(info.crc32c).toBe(checksumsOf(src.data, false).crc32c);
  expect(await adapter.stat('resume/bare.bin')).toMatchObject({ size: src.data.length, crc32c: info.crc32c });
  await adapter.close();
});
