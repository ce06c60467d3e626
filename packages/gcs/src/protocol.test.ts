/**
 * The adapter and core's engine against a stand-in that answers as Cloud
 * Storage documents (src/__fixtures__/gcs-standin.ts): the paths
 * fake-gcs-server cannot show, because it checks no signatures, no
 * x-goog-hash, finalises a session on a status query and appends a re-sent
 * chunk instead of skipping what it holds. Each test asserts the exchanges on
 * the wire, not only the outcome.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checksumsOf, isFileXferError, TransferManager, type PartsUpload } from '@filexfer/core';
import { GcsAdapter, type GcsUploadState } from './index.js';
import { CHUNK, GcsStandin, type Exchange } from './__fixtures__/gcs-standin.js';

const BUCKET = 'standin-bucket';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const key = {
  client_email: 'signer@filexfer-test.iam.gserviceaccount.com',
  private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
};

let standin: GcsStandin;
let adapter: GcsAdapter;
let manager: TransferManager;
let dir: string;

beforeAll(async () => {
  standin = await new GcsStandin([BUCKET], publicKey).start();
  // emulator: false — the stand-in is on loopback but answers like GCS, so the adapter takes its real-GCS paths.
  adapter = new GcsAdapter({ bucket: BUCKET, apiEndpoint: standin.origin, credentials: key, emulator: false });
  manager = new TransferManager({ adapter, partSize: CHUNK, retry: { retries: 3, baseDelayMs: 1, maxDelayMs: 5 }, progressIntervalMs: 0 });
  dir = await mkdtemp(join(tmpdir(), 'filexfer-gcs-unit-'));
});

afterAll(async () => {
  await manager.close();
  await standin.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  standin.hooks = {};
  standin.exchanges.length = 0;
});

async function file(name: string, size: number): Promise<{ path: string; data: Buffer }> {
  const data = randomBytes(size);
  const path = join(dir, name);
  await writeFile(path, data);
  return { path, data };
}

const chunks = (e: Exchange) => e.query.upload_id !== undefined && e.method === 'PUT';
const ranges = () => standin.log(chunks).map((e) => e.headers['content-range']);

/** Sends parts of a session by hand, as a process that then crashed would have. */
async function sendByHand(plan: PartsUpload, data: Buffer, upTo: number): Promise<void> {
  for (let offset = 0; offset < upTo; offset += plan.partSize) {
    const size = Math.min(plan.partSize, upTo - offset);
    const slice = data.subarray(offset, offset + size);
    const part = { partNumber: offset / plan.partSize + 1, offset, size, isLast: offset + size === data.length };
    const request = await plan.signPart(part, checksumsOf(slice, false));
    const response = await fetch(request.url, { method: request.method, headers: request.headers, body: slice, redirect: 'manual' });
    expect(response.status).toBe(308);
  }
}

describe('single PUT', () => {
  test('carries a signed x-goog-hash (CRC32C and MD5) that GCS checks, and is verified from the reply alone', async () => {
    const src = await file('small.bin', 1000);
    const info = await manager.upload(src.path, { key: 'dir/small file.bin', contentType: 'text/plain', metadata: { owner: 'alice' } });
    const sums = checksumsOf(src.data, true);
    expect(info.checksum).toEqual({ crc32c: sums.crc32c, md5: sums.md5 });
    const log = standin.log((e) => e.method !== 'GET' || e.query.upload_id !== undefined);
    expect(log).toHaveLength(1); // no extra request: the reply's x-goog-hash verified it
    expect(log[0]!.method).toBe('PUT');
    expect(log[0]!.path).toBe(`/${BUCKET}/dir/small%20file.bin`);
    expect(log[0]!.headers['x-goog-hash']).toBe(`crc32c=${sums.crc32c},md5=${sums.md5}`);
    expect(log[0]!.query['X-Goog-SignedHeaders']).toBe('content-type;host;x-goog-hash;x-goog-meta-owner');
    expect(log[0]!.status).toBe(200);
    const stored = standin.object(BUCKET, 'dir/small file.bin')!;
    expect(stored.data.equals(src.data)).toBe(true);
    expect(stored.contentType).toBe('text/plain');
    expect(stored.metadata).toEqual({ owner: 'alice' });
  });

  test('bytes damaged on the way: GCS answers BadDigest, the upload fails ChecksumMismatch and stores nothing', async () => {
    const src = await file('damaged.bin', 5000);
    standin.hooks.damage = ({ kind }) => kind === 'put';
    const error = await manager.upload(src.path, { key: 'damaged.bin' }).catch((e: unknown) => e);
    expect(isFileXferError(error, 'ChecksumMismatch')).toBe(true);
    expect((error as Error).message).toMatch(/BadDigest/);
    expect(standin.object(BUCKET, 'damaged.bin')).toBeUndefined();
    expect(standin.log((e) => e.method === 'PUT')).toHaveLength(1); // not retried: sending the same bytes again cannot help
  });

  test('an expired signature (400 ExpiredToken) is signed again and sent again', async () => {
    const src = await file('expired.bin', 3000);
    let first = true;
    standin.hooks.expire = ({ method }) => {
      const expire = first && method === 'PUT';
      if (expire) first = false;
      return expire;
    };
    const info = await manager.upload(src.path, { key: 'expired.bin' });
    expect(info.isTransferred()).toBe(true);
    const puts = standin.log((e) => e.method === 'PUT');
    expect(puts.map((e) => e.status)).toEqual([400, 200]);
    expect(puts[0]!.query['X-Goog-Date']).toBeDefined();
    expect(standin.object(BUCKET, 'expired.bin')!.data.equals(src.data)).toBe(true);
  });
});

describe('resumable session', () => {
  test('signed POST start, then chunks of a multiple of 256 KiB in order, the last with the whole-object CRC32C', async () => {
    const size = 3 * CHUNK + 1000;
    const src = await file('big.bin', size);
    const percents: number[] = [];
    const info = await manager.upload(src.path, { key: 'big.bin', contentType: 'video/mp4', partSize: 300 * 1024, onProgress: (p) => percents.push(p.percent) });
    const post = standin.log((e) => e.method === 'POST');
    expect(post).toHaveLength(1);
    expect(post[0]!.headers['x-goog-resumable']).toBe('start');
    expect(post[0]!.query['X-Goog-SignedHeaders']).toBe('content-type;host;x-goog-resumable');
    expect(post[0]!.status).toBe(201);
    // 300 KiB rounds up to 512 KiB.
    expect(ranges()).toEqual([`bytes 0-${2 * CHUNK - 1}/${size}`, `bytes ${2 * CHUNK}-${size - 1}/${size}`]);
    const sent = standin.log(chunks);
    expect(sent[0]!.headers['x-goog-hash']).toBeUndefined();
    expect(sent[1]!.headers['x-goog-hash']).toBe(`crc32c=${checksumsOf(src.data, false).crc32c}`);
    expect(sent.map((e) => e.status)).toEqual([308, 200]);
    expect(sent[0]!.reply.range).toBe(`bytes=0-${2 * CHUNK - 1}`);
    expect(standin.object(BUCKET, 'big.bin')!.data.equals(src.data)).toBe(true);
    expect(standin.object(BUCKET, 'big.bin')!.contentType).toBe('video/mp4');
    expect(info.checksum?.crc32c).toBe(checksumsOf(src.data, false).crc32c);
    expect(percents[percents.length - 1]).toBe(100);
    expect(percents.every((p, i) => i === 0 || p >= percents[i - 1]!)).toBe(true);
  });

  test('a short 308 (GCS kept part of a chunk): the rest is sent again from the Range it reports', async () => {
    const size = 4 * CHUNK;
    const src = await file('short.bin', size);
    standin.hooks.persist = ({ offset, length }) => (offset === 0 ? CHUNK : length);
    await manager.upload(src.path, { key: 'short.bin', partSize: 2 * CHUNK });
    expect(ranges()).toEqual([`bytes 0-${2 * CHUNK - 1}/${size}`, `bytes ${CHUNK}-${2 * CHUNK - 1}/${size}`, `bytes ${2 * CHUNK}-${size - 1}/${size}`]);
    expect(standin.log(chunks)[0]!.reply.range).toBe(`bytes=0-${CHUNK - 1}`);
    expect(standin.object(BUCKET, 'short.bin')!.data.equals(src.data)).toBe(true);
  });

  test('a chunk sent again after its reply was lost: GCS skips what it holds, no byte is doubled', async () => {
    const size = 3 * CHUNK + 5;
    const src = await file('resent.bin', size);
    let cut = true;
    standin.hooks.afterPersist = ({ offset }) => {
      if (offset === CHUNK && cut) {
        cut = false;
        return 'cut';
      }
      return undefined;
    };
    await manager.upload(src.path, { key: 'resent.bin' });
    const sent = standin.log(chunks);
    expect(sent.map((e) => e.headers['content-range'])).toEqual([
      `bytes 0-${CHUNK - 1}/${size}`,
      `bytes ${CHUNK}-${2 * CHUNK - 1}/${size}`,
      `bytes ${CHUNK}-${2 * CHUNK - 1}/${size}`, // the same chunk again
      `bytes ${2 * CHUNK}-${3 * CHUNK - 1}/${size}`,
      `bytes ${3 * CHUNK}-${size - 1}/${size}`,
    ]);
    expect(sent[1]!.status).toBe(-1); // no reply reached the engine
    expect(sent[2]!.reply.range).toBe(`bytes=0-${2 * CHUNK - 1}`);
    expect(standin.object(BUCKET, 'resent.bin')!.data.equals(src.data)).toBe(true);
  });

  test('resume asks the session its offset (empty PUT, Content-Range: bytes */SIZE) and sends only the rest', async () => {
    const size = 4 * CHUNK + 10;
    const src = await file('resume.bin', size);
    const plan = (await adapter.createUpload({ key: 'resume.bin', size, expiresIn: 600, partSize: CHUNK })) as PartsUpload;
    await sendByHand(plan, src.data, 2 * CHUNK);
    standin.exchanges.length = 0;
    const state = JSON.parse(JSON.stringify(plan.state)) as GcsUploadState; // as a journal would keep it
    const info = await manager.resumeUpload(src.path, state);
    const sent = standin.log(chunks);
    expect(sent[0]!.headers['content-range']).toBe(`bytes */${size}`);
    expect(sent[0]!.bodyLength).toBe(0);
    expect(sent[0]!.reply.range).toBe(`bytes=0-${2 * CHUNK - 1}`);
    expect(sent.slice(1).map((e) => e.headers['content-range'])).toEqual([
      `bytes ${2 * CHUNK}-${3 * CHUNK - 1}/${size}`,
      `bytes ${3 * CHUNK}-${4 * CHUNK - 1}/${size}`,
      `bytes ${4 * CHUNK}-${size - 1}/${size}`,
    ]);
    expect(standin.log((e) => e.method === 'POST')).toHaveLength(0);
    expect(info.isTransferred()).toBe(true);
    expect(standin.object(BUCKET, 'resume.bin')!.data.equals(src.data)).toBe(true);
  });

  test.each([
    ['404 (no such session)', 'unknown' as const, 404],
    ['410 (expired)', 'expired' as const, 410],
    ['499 (cancelled)', 'cancelled' as const, 499],
  ])('a session that is gone, %s, restarts cleanly with a new session from byte 0', async (_label, how, status) => {
    const size = 2 * CHUNK + 3;
    const src = await file(`gone-${how}.bin`, size);
    const plan = (await adapter.createUpload({ key: `gone-${how}.bin`, size, expiresIn: 600, partSize: CHUNK })) as PartsUpload;
    await sendByHand(plan, src.data, CHUNK);
    const state = { ...(plan.state as GcsUploadState) };
    const id = new URL(state.sessionUri).searchParams.get('upload_id')!;
    if (how === 'unknown') standin.sessions.delete(id);
    else standin.sessions.get(id)!.state = how;
    standin.exchanges.length = 0;
    const info = await manager.resumeUpload(src.path, state);
    expect(standin.log(chunks)[0]).toMatchObject({ headers: { 'content-range': `bytes */${size}` }, status });
    expect(standin.log((e) => e.method === 'POST')).toHaveLength(1);
    const after = standin.log(chunks).slice(1);
    expect(after[0]!.headers['content-range']).toBe(`bytes 0-${CHUNK - 1}/${size}`);
    expect(after.every((e) => new URL(e.path + '?upload_id=' + e.query.upload_id, standin.origin).searchParams.get('upload_id') !== id)).toBe(true);
    const fresh = info.uploadState as GcsUploadState;
    expect(fresh.sessionUri).not.toBe(state.sessionUri);
    expect(standin.object(BUCKET, `gone-${how}.bin`)!.data.equals(src.data)).toBe(true);
  });

  test('stopping mid-upload cancels the session (DELETE, GCS answers 499) and leaves no object', async () => {
    const src = await file('stop.bin', 8 * CHUNK);
    const controller = new AbortController();
    const error = await manager
      .upload(src.path, { key: 'stop.bin', signal: controller.signal, onProgress: (p) => p.bytesTransferred > 0 && controller.abort() })
      .catch((e: unknown) => e);
    expect(isFileXferError(error, 'Aborted')).toBe(true);
    const del = standin.log((e) => e.method === 'DELETE');
    expect(del).toHaveLength(1);
    expect(del[0]!.query.upload_id).toBeDefined();
    expect(del[0]!.status).toBe(499);
    expect(standin.object(BUCKET, 'stop.bin')).toBeUndefined();
  });

  test('a damaged chunk: GCS refuses to finalise against the last chunk\'s x-goog-hash, nothing is stored', async () => {
    const src = await file('badchunk.bin', 2 * CHUNK + 7);
    standin.hooks.damage = ({ kind, offset }) => kind === 'chunk' && offset === 0;
    const error = await manager.upload(src.path, { key: 'badchunk.bin' }).catch((e: unknown) => e);
    expect(isFileXferError(error, 'ChecksumMismatch')).toBe(true);
    expect(standin.log(chunks).map((e) => e.status)).toEqual([308, 308, 400]);
    expect(standin.object(BUCKET, 'badchunk.bin')).toBeUndefined();
  });

  test('resumed in another process (no whole hash to send): complete() compares the stored CRC32C and deletes a damaged object', async () => {
    const size = 2 * CHUNK + 9;
    const src = await file('latecheck.bin', size);
    const plan = (await adapter.createUpload({ key: 'latecheck.bin', size, expiresIn: 600, partSize: CHUNK })) as PartsUpload;
    standin.hooks.damage = ({ kind, offset }) => kind === 'chunk' && offset === 0;
    await sendByHand(plan, src.data, CHUNK);
    standin.hooks = {};
    const error = await manager.resumeUpload(src.path, { ...plan.state }).catch((e: unknown) => e);
    expect(isFileXferError(error, 'ChecksumMismatch')).toBe(true);
    expect((error as Error).message).toMatch(/deleted/);
    const last = standin.log(chunks).at(-1)!;
    expect(last.headers['x-goog-hash']).toBeUndefined();
    expect(last.status).toBe(200); // GCS had nothing to check it against
    expect(standin.object(BUCKET, 'latecheck.bin')).toBeUndefined();
  });
});

describe('download', () => {
  test('x-goog-hash is verified: a body damaged on the way is refused and nothing is written', async () => {
    standin.putObject(BUCKET, 'dl/damaged.bin', randomBytes(40_000));
    const url = await adapter.presignDownload('dl/damaged.bin');
    standin.hooks.damageDownload = true;
    const dest = join(dir, 'damaged.out');
    const error = await manager.download(url, dest).catch((e: unknown) => e);
    expect(isFileXferError(error, 'ChecksumMismatch')).toBe(true);
    expect(existsSync(dest)).toBe(false);
  });

  test('a cut download resumes with Range and If-Match, and the whole-object hash of the 206 still checks it', async () => {
    const data = randomBytes(600_000);
    standin.putObject(BUCKET, 'dl/cut.bin', data);
    const url = await adapter.presignDownload('dl/cut.bin');
    standin.hooks.cutDownloadAfter = 100_000;
    const dest = join(dir, 'cut.out');
    await manager.download(url, dest);
    expect((await readFile(dest)).equals(data)).toBe(true);
    const gets = standin.log((e) => e.method === 'GET');
    expect(gets).toHaveLength(2);
    expect(gets[0]!.headers.range).toBeUndefined();
    expect(gets[1]!.headers.range).toMatch(/^bytes=\d+-$/);
    expect(Number(/bytes=(\d+)-/.exec(gets[1]!.headers.range!)![1])).toBeGreaterThan(0);
    expect(gets[1]!.headers['if-match']).toBeDefined();
    expect(gets[1]!.status).toBe(206);
  });

  test('a tampered URL is refused as Unauthenticated, and the message shows no signature', async () => {
    standin.putObject(BUCKET, 'dl/tamper.bin', randomBytes(100));
    const url = await adapter.presignDownload('dl/tamper.bin');
    const u = new URL(url);
    const signature = u.searchParams.get('X-Goog-Signature')!;
    u.searchParams.set('X-Goog-Signature', signature.slice(0, -1) + (signature.endsWith('a') ? 'b' : 'a'));
    const error = await manager.download(u.toString(), join(dir, 'tamper.out')).catch((e: unknown) => e);
    expect(isFileXferError(error, 'Unauthenticated')).toBe(true);
    const text = `${(error as Error).message} ${JSON.stringify(error)}`;
    expect(text).toMatch(/SignatureDoesNotMatch/);
    expect(text).not.toContain(signature.slice(0, 40));
    expect(text).not.toContain('GOOG4-RSA-SHA256'); // the StringToSign GCS echoes stays out
  });

  test('an expired URL is refused as Expired', async () => {
    standin.putObject(BUCKET, 'dl/old.bin', randomBytes(100));
    const u = new URL(await adapter.presignDownload('dl/old.bin', { expiresIn: 60 }));
    u.searchParams.set('X-Goog-Date', '20200101T000000Z');
    const error = await manager.download(u.toString(), join(dir, 'old.out')).catch((e: unknown) => e);
    expect(isFileXferError(error, 'Expired')).toBe(true);
    expect((error as Error).message).toMatch(/expired/i);
  });
});

describe('objects and bad input', () => {
  test('stat reads size and hashes from a one-byte ranged GET; an empty object answers 416; a missing one is null', async () => {
    const data = randomBytes(12_345);
    standin.putObject(BUCKET, 'stat/full.bin', data);
    standin.putObject(BUCKET, 'stat/empty.bin', Buffer.alloc(0));
    const full = await adapter.stat('stat/full.bin');
    expect(full).toMatchObject({ key: 'stat/full.bin', size: 12_345, ...checksumsOf(data, true) });
    const empty = await adapter.stat('stat/empty.bin');
    expect(empty).toMatchObject({ size: 0, crc32c: 'AAAAAA==', md5: '1B2M2Y8AsgTpgAmY7PhCfg==' });
    expect(standin.log((e) => e.method === 'GET').map((e) => [e.headers.range, e.status])).toEqual([
      ['bytes=0-0', 206],
      ['bytes=0-0', 416],
    ]);
    expect(await adapter.stat('stat/none.bin')).toBeNull();
    await adapter.delete('stat/full.bin');
    await adapter.delete('stat/full.bin'); // a missing object is not an error
    expect(standin.object(BUCKET, 'stat/full.bin')).toBeUndefined();
  });

  test.each([
    ['single PUT', 1000],
    ['resumable start', 3 * CHUNK],
  ])('a bucket that does not exist (%s) is a NotFound that says to create it', async (_label, size) => {
    const other = new GcsAdapter({ bucket: 'no-such-bucket', apiEndpoint: standin.origin, credentials: key, emulator: false });
    const m = new TransferManager({ adapter: other, partSize: CHUNK, retry: { retries: 0 } });
    const src = await file(`nobucket-${size}.bin`, size);
    const error = await m.upload(src.path, { key: 'x.bin' }).catch((e: unknown) => e);
    await m.close();
    expect(isFileXferError(error, 'NotFound')).toBe(true);
    expect((error as Error).message).toMatch(/bucket does not exist.*create it/);
  });
});
