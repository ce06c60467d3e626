import { randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32cOf, crc32cToBase64 } from '../src/engine/checksum.js';
import { FileStatus, TransferManager, type FileXferError } from '../src/index.js';
import { delay, ScriptedServer } from './helpers/scripted-server.js';
import { SECRET_SIG, TestAdapter } from './helpers/test-adapter.js';

let server: ScriptedServer;
let adapter: TestAdapter;
let dir: string;
const fast = { retries: 3, baseDelayMs: 1, maxDelayMs: 5 };

beforeEach(async () => {
  server = await new ScriptedServer().start();
  adapter = new TestAdapter(() => server.url);
  dir = await mkdtemp(join(tmpdir(), 'fx-core-'));
});
afterEach(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

async function file(size: number, name = 'f.bin') {
  const data = randomBytes(size);
  const path = join(dir, name);
  await writeFile(path, data);
  return { path, data };
}

const manager = (extra: object = {}) => new TransferManager({ adapter, partSize: 1024, retry: fast, progressIntervalMs: 0, ...extra });

test('one PUT below the part size, with the CRC32C the engine computed', async () => {
  const { path, data } = await file(1000);
  const m = manager();
  const done = await m.upload(path, { key: 'k' });
  expect(server.requests).toHaveLength(1);
  expect(server.requests[0]!.method).toBe('PUT');
  expect(server.requests[0]!.body.equals(data)).toBe(true);
  expect(server.requests[0]!.headers['x-crc32c']).toBe(crc32cToBase64(crc32cOf(data)));
  expect(done.checksum?.crc32c).toBe(crc32cToBase64(crc32cOf(data)));
  await m.close();
});

test('parts above it, their CRCs combined into the whole-object CRC32C', async () => {
  const { path, data } = await file(5000);
  const m = manager();
  const done = await m.upload(path, { key: 'k' });
  expect(server.requests).toHaveLength(5);
  expect(adapter.completed?.map((p) => p.partNumber)).toEqual([1, 2, 3, 4, 5]);
  expect(Buffer.concat(server.requests.sort((a, b) => a.url.localeCompare(b.url)).map((r) => r.body)).equals(data)).toBe(true);
  expect(done.checksum?.crc32c).toBe(crc32cToBase64(crc32cOf(data)));
  await m.close();
});

test('retries 503 and 429 with a fresh signature each time, then succeeds', async () => {
  const { path } = await file(1000);
  server.route = (_req, res, n) => void res.writeHead(n === 1 ? 503 : n === 2 ? 429 : 200).end();
  const m = manager();
  await m.upload(path, { key: 'k' });
  expect(server.requests).toHaveLength(3);
  expect(adapter.signCalls).toBe(3);
  await m.close();
});

test('never retries a 4xx that cannot change, and the error hides the signature', async () => {
  const { path } = await file(1000);
  server.route = (req, res) => void res.writeHead(403, { 'content-type': 'text/plain' }).end(`denied for ${req.url}`);
  const m = manager();
  const error = (await m.upload(path, { key: 'k' }).catch((e) => e)) as FileXferError;
  expect(server.requests).toHaveLength(1);
  expect(error.code).toBe('PermissionDenied');
  expect(error.retryable).toBe(false);
  expect(JSON.stringify(error.toJSON()) + error.message + String(error.stack)).not.toContain(SECRET_SIG);
  await m.close();
});

test('a network failure mid-part is retried; progress never goes back and ends at 100 once', async () => {
  const { path } = await file(4096);
  server.route = (_req, res, n) => {
    if (n === 2) return void res.destroy();
    res.writeHead(200, { etag: `"e${n}"` }).end();
  };
  const seen: number[] = [];
  const m = manager({ partConcurrency: 1 });
  await m.upload(path, { key: 'k', onProgress: (p) => seen.push(p.percent) });
  expect(seen.every((p, i) => i === 0 || p >= seen[i - 1]!)).toBe(true);
  expect(seen.filter((p) => p === 100)).toHaveLength(1);
  expect(seen[seen.length - 1]).toBe(100);
  await m.close();
});

test('a part that keeps failing aborts the store-side session and fails RETRYLATER', async () => {
  const { path } = await file(4096);
  server.route = (_req, res) => void res.writeHead(500).end();
  const m = manager();
  const f = m.getFileInstance({ mode: 1, path, key: 'k' });
  m.startFileTransfer(f);
  const error = (await f.done().catch((e) => e)) as FileXferError;
  expect(error.code).toBe('Unavailable');
  expect(f.status).toBe(FileStatus.RETRYLATER);
  expect(f.progress).toBe(-1);
  expect(adapter.aborted).toBe(1);
  await m.close();
});

test('an Expired reply is re-signed and retried, not failed', async () => {
  const { path } = await file(1000);
  adapter.classifyError = (r) => (r.status === 403 ? { code: 'Expired' as const, message: 'Request has expired' } : undefined);
  server.route = (_req, res, n) => void res.writeHead(n === 1 ? 403 : 200).end();
  const m = manager();
  await m.upload(path, { key: 'k' });
  expect(adapter.signCalls).toBe(2);
  await m.close();
});

test('part concurrency and the global transfer limit hold', async () => {
  server.route = async (_req, res) => {
    await delay(20);
    res.writeHead(200).end();
  };
  const paths = await Promise.all([1, 2, 3, 4].map((i) => file(8 * 1024, `f${i}.bin`)));
  const m = manager({ partConcurrency: 3, maxConcurrentTransfers: 1 });
  await Promise.all(paths.map((p) => m.upload(p.path)));
  expect(server.maxInFlight).toBe(3);
  const m2 = manager({ partConcurrency: 1, maxConcurrentTransfers: 2 });
  server.maxInFlight = 0;
  await Promise.all(paths.map((p) => m2.upload(p.path)));
  expect(server.maxInFlight).toBe(2);
  await m.close();
  await m2.close();
});

test('a file that changes size while uploading fails with InvalidInput and aborts the session', async () => {
  const { path } = await file(8 * 1024);
  server.route = async (_req, res, n) => {
    if (n === 1) await appendFile(path, 'more');
    res.writeHead(200).end();
  };
  const m = manager({ partConcurrency: 1 });
  const error = (await m.upload(path, { key: 'k' }).catch((e) => e)) as FileXferError;
  expect(error.code).toBe('InvalidInput');
  expect(error.message).toMatch(/changed size/);
  expect(adapter.aborted).toBe(1);
  await m.close();
});

test('stop aborts in-flight requests and the store-side session; status FAILED, code Aborted', async () => {
  const { path } = await file(64 * 1024);
  server.route = async (_req, res) => {
    await delay(50);
    res.writeHead(200).end();
  };
  const m = manager({ partConcurrency: 2 });
  const f = m.getFileInstance({ mode: 1, path, key: 'k' });
  m.startFileTransfer(f);
  await delay(30);
  expect(m.stopFileTransfer(f)).toBe(true);
  const error = (await f.done().catch((e) => e)) as FileXferError;
  expect(error.code).toBe('Aborted');
  expect(f.status).toBe(FileStatus.FAILED);
  expect(adapter.aborted).toBe(1);
  expect(server.requests.length).toBeLessThan(64);
  expect(m.stopFileTransfer(f)).toBe(false);
  await m.close();
});

test('resume sends only the parts the store does not hold', async () => {
  const { path, data } = await file(5000);
  const crc = (from: number, to: number) => crc32cToBase64(crc32cOf(data.subarray(from, to)));
  adapter.held = [
    { partNumber: 1, size: 1024, etag: 'a', crc32c: crc(0, 1024) },
    { partNumber: 3, size: 1024, etag: 'c', crc32c: crc(2048, 3072) },
    { partNumber: 4, size: 1024, etag: 'd', crc32c: 'AAAAAA==' }, // held, but not these bytes: re-sent
  ];
  const m = manager();
  const done = await m.resumeUpload(path, { adapter: 'test', key: 'k', size: 5000, partSize: 1024 });
  expect(server.requests.map((r) => r.url.split('?')[0]).sort()).toEqual(['/part/2', '/part/4', '/part/5']);
  expect(adapter.completed?.map((p) => p.etag)).toEqual(['a', undefined, 'c', undefined, undefined]);
  expect(done.checksum?.crc32c).toBe(crc32cToBase64(crc32cOf(data)));
  await m.close();
});

test('sequential sessions resume from the persisted offset and re-send what the store did not keep', async () => {
  const { path, data } = await file(4096);
  adapter.parallel = false;
  adapter.persisted = 1024;
  // The store keeps only 512 bytes of the first request, then all of each.
  server.route = (req, res, n) => {
    const offset = Number(new URL(req.url, 'http://x').searchParams.get('offset'));
    const upTo = n === 1 ? offset + 512 : offset + req.body.length;
    res.writeHead(200, { 'x-persisted': String(upTo) }).end();
  };
  const m = manager();
  const done = await m.resumeUpload(path, { adapter: 'test', key: 'k', size: 4096, partSize: 1024 });
  const offsets = server.requests.map((r) => Number(new URL(r.url, 'http://x').searchParams.get('offset')));
  expect(offsets).toEqual([1024, 1536, 2048, 3072]);
  expect(Buffer.concat(server.requests.map((r, i) => (i === 0 ? r.body.subarray(0, 512) : r.body))).equals(data.subarray(1024))).toBe(true);
  expect(done.checksum?.crc32c).toBe(crc32cToBase64(crc32cOf(data)));
  await m.close();
});
