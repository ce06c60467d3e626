import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32cOf, crc32cToBase64 } from '../src/engine/checksum.js';
import { FileStatus, TransferManager, type FileXferError } from '../src/index.js';
import { ScriptedServer, type Recorded } from './helpers/scripted-server.js';
import { TestAdapter } from './helpers/test-adapter.js';
import type http from 'node:http';

let server: ScriptedServer;
let dir: string;
let data: Buffer;
let etag = '"v1"';
const fast = { retries: 3, baseDelayMs: 1, maxDelayMs: 5 };

/** Serves `data` with Range and If-Match; `cutAt` cuts the connection after that many body bytes. */
function serve(options: { cutAt?: (n: number) => number | undefined } = {}) {
  server.route = (req: Recorded, res: http.ServerResponse, n: number) => {
    if (req.headers['if-match'] && req.headers['if-match'] !== etag) return void res.writeHead(412).end();
    const range = /bytes=(\d+)-/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const body = data.subarray(start);
    res.writeHead(range ? 206 : 200, {
      etag,
      'content-length': String(body.length),
      ...(range ? { 'content-range': `bytes ${start}-${data.length - 1}/${data.length}` } : {}),
    });
    const cut = options.cutAt?.(n);
    if (cut !== undefined) {
      res.write(body.subarray(0, cut), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    res.end(body);
  };
}

beforeEach(async () => {
  server = await new ScriptedServer().start();
  dir = await mkdtemp(join(tmpdir(), 'fx-dl-'));
  data = randomBytes(300_000);
  etag = '"v1"';
});
afterEach(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const manager = (retries = fast.retries) =>
  new TransferManager({ adapter: new TestAdapter(() => server.url), retry: { ...fast, retries }, progressIntervalMs: 0 });
const url = () => `${server.url}/obj/x?sig=abc`;

test('a cut connection resumes with Range and If-Match, and the bytes are exact', async () => {
  serve({ cutAt: (n) => (n === 1 ? 100_000 : undefined) });
  const m = manager();
  const dest = join(dir, 'out.bin');
  const f = await m.download(url(), dest, { checksum: { crc32c: crc32cToBase64(crc32cOf(data)) } });
  expect(f.isTransferred()).toBe(true);
  expect(sha(await readFile(dest))).toBe(sha(data));
  expect(server.requests).toHaveLength(2);
  expect(server.requests[1]!.headers.range).toMatch(/^bytes=\d+-$/);
  expect(Number(/\d+/.exec(server.requests[1]!.headers.range!)![0])).toBeGreaterThan(0);
  expect(server.requests[1]!.headers['if-match']).toBe('"v1"');
  await m.close();
});

test('after retries run out the partial file stays (RETRYLATER) and the next run resumes from it', async () => {
  serve({ cutAt: () => 50_000 });
  const m = manager(1);
  const dest = join(dir, 'out.bin');
  const f = m.getFileInstance({ mode: 0, path: dest, url: url() });
  m.startFileTransfer(f);
  const error = (await f.done().catch((e) => e)) as FileXferError;
  expect(error.code).toBe('Network');
  expect(f.status).toBe(FileStatus.RETRYLATER);
  expect(existsSync(dest)).toBe(false);
  expect((await readdir(dir)).sort()).toEqual(['out.bin.filexfer-partial', 'out.bin.filexfer-partial.json']);

  server.requests.length = 0;
  serve();
  await m.download(url(), dest);
  expect(sha(await readFile(dest))).toBe(sha(data));
  expect(server.requests[0]!.headers.range).toBe('bytes=100000-');
  expect(await readdir(dir)).toEqual(['out.bin']);
  await m.close();
});

test('an object that changed since the partial file was written is fetched again from the start', async () => {
  serve({ cutAt: () => 50_000 });
  const m = manager(0);
  const dest = join(dir, 'out.bin');
  await m.download(url(), dest).catch(() => undefined);
  data = randomBytes(200_000);
  etag = '"v2"';
  server.requests.length = 0;
  serve();
  await m.download(url(), dest);
  expect(sha(await readFile(dest))).toBe(sha(data));
  expect(server.requests.map((r) => r.headers.range ?? 'whole')).toEqual(['bytes=50000-', 'whole']);
  await m.close();
});

test('a checksum mismatch fails, and leaves neither the destination nor a partial file', async () => {
  serve();
  const m = manager();
  const dest = join(dir, 'out.bin');
  const error = (await m.download(url(), dest, { checksum: { crc32c: 'AAAAAA==' } }).catch((e) => e)) as FileXferError;
  expect(error.code).toBe('ChecksumMismatch');
  expect(await readdir(dir)).toEqual([]);
  await m.close();
});

test('a size that differs from what the sender said is refused before writing', async () => {
  serve();
  const m = manager();
  const error = (await m.download(url(), join(dir, 'out.bin'), { size: 5 }).catch((e) => e)) as FileXferError;
  expect(error.code).toBe('ChecksumMismatch');
  expect(await readdir(dir)).toEqual([]);
  await m.close();
});

test('a 404 is NotFound at once, with no retry and nothing written', async () => {
  server.route = (_r, res) => void res.writeHead(404).end('<Error><Code>NoSuchKey</Code></Error>');
  const m = manager();
  const error = (await m.download(url(), join(dir, 'out.bin')).catch((e) => e)) as FileXferError;
  expect(error.code).toBe('NotFound');
  expect(server.requests).toHaveLength(1);
  expect(await readdir(dir)).toEqual([]);
  await m.close();
});

test('two downloads of the same URL share one transfer', async () => {
  serve();
  const m = manager();
  const dest = join(dir, 'out.bin');
  const [a, b] = await Promise.all([m.download(url(), dest), m.download(url(), dest)]);
  expect(a).toBe(b);
  expect(server.requests).toHaveLength(1);
  await m.close();
});

test('progress of a resumed download starts at the bytes on disk and counts each byte once', async () => {
  serve({ cutAt: () => 100_000 });
  const m = manager(0);
  const dest = join(dir, 'out.bin');
  await m.download(url(), dest).catch(() => undefined);
  serve();
  const seen: Array<{ bytes: number; percent: number }> = [];
  await m.download(url(), dest, { onProgress: (p) => seen.push({ bytes: p.bytesTransferred, percent: p.percent }) });
  expect(seen[0]!.bytes).toBeGreaterThanOrEqual(100_000);
  expect(seen.every((p) => p.bytes <= data.length)).toBe(true);
  expect(seen[seen.length - 1]).toEqual({ bytes: data.length, percent: 100 });
  await m.close();
});

test('an expired shared URL fails at once: it cannot be re-signed here', async () => {
  server.route = (_r, res) => void res.writeHead(403).end();
  const adapter = new TestAdapter(() => server.url);
  adapter.classifyError = () => ({ code: 'Expired' as const, message: 'Request has expired.' });
  const m = new TransferManager({ adapter, retry: fast });
  const error = (await m.download(url(), join(dir, 'out.bin')).catch((e) => e)) as FileXferError;
  expect(error.code).toBe('Expired');
  expect(server.requests).toHaveLength(1);
  await m.close();
});
