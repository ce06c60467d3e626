import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import http from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TransferManager, checksumsOf, type PartsUpload } from '@filexfer/core';
import { LocalAdapter, startLocalServer, type LocalServer } from '@filexfer/local';
import { TestFiles } from '@filexfer/core/testing';

let root: string;
let server: LocalServer;
let adapter: LocalAdapter;
let files: TestFiles;
const secret = 'shared-secret-for-tests-0123456789';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fx-local-'));
  server = await startLocalServer({ root, port: 0, secret });
  adapter = new LocalAdapter({ endpoint: server.url, secret });
  files = await TestFiles.create();
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
  await files.remove();
});

const visibleObjects = () => readdirSync(root).filter((n) => n !== '.filexfer');

test('a standalone server and an adapter sharing its secret: objects land under the root', async () => {
  const m = new TransferManager({ adapter, partSize: 64 * 1024 });
  const src = await files.make('a.bin', 200_000);
  const up = await m.upload(src.path, { key: 'docs/a.bin', contentType: 'application/pdf' });
  expect(await readFile(join(root, 'docs', 'a.bin'))).toEqual(src.data);
  expect(await adapter.stat('docs/a.bin')).toMatchObject({ size: 200_000, contentType: 'application/pdf', crc32c: up.checksum!.crc32c });
  expect(await adapter.stat('docs/none.bin')).toBeNull();
  await adapter.delete('docs/a.bin');
  expect(await adapter.stat('docs/a.bin')).toBeNull();
  await m.close();
});

test('an adapter with the wrong secret is refused', async () => {
  const wrong = new LocalAdapter({ endpoint: server.url, secret: 'not-the-servers-secret-000' });
  const m = new TransferManager({ adapter: wrong, retry: { retries: 0 } });
  const src = await files.make('w.bin', 10);
  await expect(m.upload(src.path, { key: 'w.bin' })).rejects.toMatchObject({ code: 'PermissionDenied' });
  expect(existsSync(join(root, 'w.bin'))).toBe(false);
  await m.close();
});

test('GET honours Range and reports the whole-object CRC32C; HEAD has no body', async () => {
  const m = new TransferManager({ adapter });
  const src = await files.make('r.bin', 1000);
  const up = await m.upload(src.path, { key: 'r.bin' });
  const res = await fetch(up.url, { headers: { range: 'bytes=100-199' } });
  expect(res.status).toBe(206);
  expect(res.headers.get('content-range')).toBe('bytes 100-199/1000');
  expect(Buffer.from(await res.arrayBuffer())).toEqual(src.data.subarray(100, 200));
  expect(res.headers.get('x-filexfer-crc32c')).toBe(up.checksum!.crc32c);
  const beyond = await fetch(up.url, { headers: { range: 'bytes=5000-' } });
  expect(beyond.status).toBe(416);
  const stale = await fetch(up.url, { headers: { 'if-match': '"other"' } });
  expect(stale.status).toBe(412);
  await m.close();
});

test('a PUT whose bytes do not match their CRC32C is refused and stores nothing', async () => {
  const signed = await adapter.presignUpload('bad.bin');
  const body = randomBytes(1000);
  const res = await fetch(signed.url, { method: 'PUT', body, headers: { ...signed.headers, 'x-filexfer-crc32c': checksumsOf(randomBytes(10), false).crc32c } });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { code: string }).code).toBe('ChecksumMismatch');
  expect(await adapter.stat('bad.bin')).toBeNull();
  expect(visibleObjects()).not.toContain('bad.bin');
});

test('a PUT cut mid-body leaves no object and no temp file', async () => {
  const signed = await adapter.presignUpload('cut.bin');
  const url = new URL(signed.url);
  await new Promise<void>((resolve) => {
    const req = http.request(url, { method: 'PUT', headers: { 'content-length': '100000' } });
    req.on('error', () => resolve());
    req.write(randomBytes(50_000), () => setTimeout(() => { req.destroy(); resolve(); }, 50));
  });
  await new Promise((r) => setTimeout(r, 100));
  expect(await adapter.stat('cut.bin')).toBeNull();
  expect(readdirSync(join(root, '.filexfer', 'tmp'))).toEqual([]);
});

test('an interrupted parts upload resumes: only the parts the store lacks are sent', async () => {
  const src = await files.make('resume.bin', 5 * 1024 * 1024 + 17);
  const partSize = 1024 * 1024;
  const plan = (await adapter.createUpload({ key: 'resume.bin', size: src.data.length, partSize, expiresIn: 60 })) as PartsUpload;
  // An earlier run sent parts 1 and 3, then died.
  for (const n of [1, 3]) {
    const body = src.data.subarray((n - 1) * partSize, n * partSize);
    const req = await plan.signPart({ partNumber: n, offset: (n - 1) * partSize, size: body.length, isLast: false }, checksumsOf(body, false));
    expect((await fetch(req.url, { method: 'PUT', body, headers: req.headers })).status).toBe(200);
  }
  const state = JSON.parse(JSON.stringify(plan.state));
  const sent: number[] = [];
  const m = new TransferManager({ adapter, partSize, progressIntervalMs: 0 });
  const done = await m.resumeUpload(src.path, state, { onProgress: (p) => sent.push(p.bytesTransferred) });
  expect(sent[0]).toBeGreaterThanOrEqual(partSize);
  expect(await readFile(join(root, 'resume.bin'))).toEqual(src.data);
  expect(done.checksum?.crc32c).toBe(checksumsOf(src.data, false).crc32c);
  expect(readdirSync(join(root, '.filexfer', 'uploads'))).toEqual([]);
  await m.close();
});

test('bad options and bad keys are clear errors', async () => {
  expect(() => new LocalAdapter({ endpoint: 'not a url', secret })).toThrow(/is not a URL/);
  expect(() => new LocalAdapter({ endpoint: server.url, secret: 'short' })).toThrow(/secret/);
  await expect(startLocalServer({ root, secret: 'short' })).rejects.toThrow(/at least 16 characters/);
  await expect(adapter.presignDownload('../escape')).rejects.toMatchObject({ code: 'InvalidInput' });
  const unreachable = new LocalAdapter({ endpoint: 'http://127.0.0.1:9', secret });
  await expect(unreachable.stat('x')).rejects.toMatchObject({ code: 'Network', message: expect.stringMatching(/is it running/) });
});
