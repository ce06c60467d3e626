/**
 * Resume and abort against fake-gcs-server. It finalises a session when asked
 * its offset (a `Content-Range: bytes * /SIZE` status query), so on the
 * emulator resumeUpload starts a fresh session and sends every byte; the
 * status query itself, a short 308 and a re-sent chunk are shown against GCS's
 * documented replies in src/protocol.test.ts. A session that is gone restarts
 * the same way on both.
 */
import { checksumsOf, isFileXferError, TransferManager, type PartsUpload } from '@filexfer/core';
import { createBucket, emulatorAdapter, emulatorObject, patterned, RecordingTransport, tempDir } from './helpers.js';
import type { GcsAdapter, GcsUploadState } from '../src/index.js';

const KiB256 = 256 * 1024;
let bucket: string;
let adapter: GcsAdapter;
let transport: RecordingTransport;
let manager: TransferManager;
let files: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  bucket = await createBucket('resume');
  adapter = emulatorAdapter(bucket);
  transport = new RecordingTransport();
  manager = new TransferManager({ adapter, transport, partSize: KiB256, retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 20 }, progressIntervalMs: 0 });
  files = await tempDir();
});
afterAll(async () => {
  await manager.close();
  await files.cleanup();
});
beforeEach(() => {
  transport.sent.length = 0;
});

/** Starts a session and sends its first chunk, as a process that then died would have. */
async function startedElsewhere(key: string, data: Buffer): Promise<GcsUploadState> {
  const plan = (await adapter.createUpload({ key, size: data.length, expiresIn: 600, partSize: KiB256 })) as PartsUpload;
  const slice = data.subarray(0, KiB256);
  const request = await plan.signPart({ partNumber: 1, offset: 0, size: KiB256, isLast: false }, checksumsOf(slice, false));
  const response = await fetch(request.url, { method: request.method, headers: request.headers, body: slice, redirect: 'manual' });
  expect(response.status).toBe(308);
  return JSON.parse(JSON.stringify(plan.state)) as GcsUploadState;
}

test('resuming on the emulator restarts the session and the object arrives whole', async () => {
  const data = patterned(3 * KiB256 + 99, 31);
  const path = await files.file('resume.bin', data);
  const state = await startedElsewhere('resume/one.bin', data);
  const info = await manager.resumeUpload(path, state);
  expect(info.isTransferred()).toBe(true);
  const fresh = info.uploadState as GcsUploadState;
  expect(fresh.sessionUri).not.toBe(state.sessionUri);
  expect(transport.sent.map((s) => s.headers['content-range'])[0]).toBe(`bytes 0-${KiB256 - 1}/${data.length}`);
  expect(transport.sent.some((s) => s.headers['content-range']?.startsWith('bytes */'))).toBe(false); // never asked: it would publish a partial object
  expect((await emulatorObject(bucket, 'resume/one.bin'))!.crc32c).toBe(checksumsOf(data, false).crc32c);
});

test('a session that is gone (unknown upload id: 404) restarts cleanly', async () => {
  const data = patterned(2 * KiB256 + 5, 32);
  const path = await files.file('gone.bin', data);
  const state = await startedElsewhere('resume/gone.bin', data);
  const dead = { ...state, sessionUri: state.sessionUri.replace(/upload_id=[^&]+/, 'upload_id=0000dead') };
  const info = await manager.resumeUpload(path, dead);
  expect(info.isTransferred()).toBe(true);
  expect((await emulatorObject(bucket, 'resume/gone.bin'))!.crc32c).toBe(checksumsOf(data, false).crc32c);
  // The dead session answers 404, which the adapter takes as gone too.
  const answer = await fetch(dead.sessionUri, { method: 'PUT', headers: { 'content-range': `bytes 0-0/${data.length}` }, body: 'x', redirect: 'manual' });
  expect(answer.status).toBe(404);
});

test('a state from another adapter or bucket is refused with a clear message', async () => {
  await expect(adapter.resumeUpload({ adapter: 's3', key: 'k', size: 1, partSize: 1 })).rejects.toMatchObject({ code: 'InvalidInput', message: expect.stringMatching(/not made by GcsAdapter/) });
  const state = await startedElsewhere('resume/other.bin', patterned(2 * KiB256, 33));
  await expect(adapter.resumeUpload({ ...state, bucket: 'someone-else' })).rejects.toMatchObject({ code: 'InvalidInput', message: expect.stringMatching(/belongs to bucket "someone-else"/) });
});

test('stopping an upload cancels its session (DELETE: 499) and leaves no object', async () => {
  const data = patterned(12 * KiB256, 34);
  const path = await files.file('stop.bin', data);
  const controller = new AbortController();
  const error = await manager
    .upload(path, { key: 'resume/stopped.bin', signal: controller.signal, onProgress: (p) => p.bytesTransferred > KiB256 && controller.abort() })
    .catch((e: unknown) => e);
  expect(isFileXferError(error, 'Aborted')).toBe(true);
  expect(await emulatorObject(bucket, 'resume/stopped.bin')).toBeNull();
  expect(await adapter.stat('resume/stopped.bin')).toBeNull();
});
