/**
 * Downloads against Azurite: a read-only SAS, resumed with Range + If-Match
 * after a cut (within one run and across runs), verified against the blob's
 * CRC32C even when the reply is a 206.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { partialPaths, TransferManager, type FileInfo } from '@filexfer/core';
import { adapterFor, createContainer, cutAfter, randomData, RecordingTransport } from './helpers.js';

const PART = 256 * 1024;
const SIZE = 3 * 1024 * 1024 + 17;
let container: Awaited<ReturnType<typeof createContainer>>;
let dir: string;
let data: Buffer;
let uploaded: FileInfo;

beforeAll(async () => {
  container = await createContainer();
  dir = await mkdtemp(join(tmpdir(), 'fx-azure-down-'));
  data = randomData(SIZE);
  await writeFile(join(dir, 'src.bin'), data);
  const manager = new TransferManager({ adapter: adapterFor(container.name), partSize: PART });
  uploaded = await manager.upload(join(dir, 'src.bin'), { key: 'shared/src.bin' });
  await manager.close();
});
afterAll(async () => {
  await container?.remove();
  await rm(dir, { recursive: true, force: true });
});

describe('downloads from Azurite', () => {
  it('use a read-only SAS for exactly one blob', async () => {
    const transport = new RecordingTransport();
    const manager = new TransferManager({ adapter: adapterFor(container.name), transport });
    const dest = join(dir, 'plain.out');
    await manager.download(uploaded.url, dest, { checksum: uploaded.checksum, size: SIZE });
    expect((await readFile(dest)).equals(data)).toBe(true);
    const [get] = transport.requests;
    expect(get!.method).toBe('GET');
    expect(get!.url.pathname).toBe(`/devstoreaccount1/${container.name}/shared/src.bin`);
    expect(get!.url.searchParams.get('sp')).toBe('r');
    expect(get!.url.searchParams.get('sr')).toBe('b');
    // The read SAS cannot write.
    const put = await fetch(uploaded.url, { method: 'PUT', body: 'x', headers: { 'x-ms-blob-type': 'BlockBlob' } });
    expect(put.status).toBe(403);
    expect(put.headers.get('x-ms-error-code')).toBe('AuthorizationPermissionMismatch');
    await manager.close();
  });

  it('resume with Range + If-Match after the connection is cut, in the same run', async () => {
    const transport = new RecordingTransport();
    transport.after = (_req, res, index) => (index === 0 ? cutAfter(res, 1_000_000) : res);
    const manager = new TransferManager({ adapter: adapterFor(container.name), transport, retry: { retries: 3, baseDelayMs: 10, maxDelayMs: 50 } });
    const dest = join(dir, 'cut.out');
    await manager.download(uploaded.url, dest);
    expect((await readFile(dest)).equals(data)).toBe(true);
    const gets = transport.requests.filter((r) => r.method === 'GET');
    expect(gets).toHaveLength(2);
    expect(gets[0]!.headers.range).toBeUndefined();
    expect(gets[1]!.headers.range).toBe('bytes=1000000-');
    expect(gets[1]!.headers['if-match']).toMatch(/^"0x[0-9A-F]+"$/);
    expect(gets[1]!.status).toBe(206);
    await manager.close();
  });

  it('resume a partial file left by an earlier failed run, and verify the whole file from the 206 reply', async () => {
    const dest = join(dir, 'later.out');
    const first = new RecordingTransport();
    first.after = (_req, res) => cutAfter(res, 700_000);
    const m1 = new TransferManager({ adapter: adapterFor(container.name), transport: first, retry: { retries: 0 } });
    await expect(m1.download(uploaded.url, dest)).rejects.toMatchObject({ code: 'Network' });
    await m1.close();
    expect(existsSync(dest)).toBe(false);
    expect((await stat(partialPaths(dest).data)).size).toBe(700_000);

    const second = new RecordingTransport();
    const m2 = new TransferManager({ adapter: adapterFor(container.name), transport: second });
    await m2.download(uploaded.url, dest);
    expect((await readFile(dest)).equals(data)).toBe(true);
    expect(second.requests).toHaveLength(1);
    expect(second.requests[0]!.headers.range).toBe('bytes=700000-');
    expect(second.requests[0]!.status).toBe(206);
    expect(existsSync(partialPaths(dest).data)).toBe(false);
    await m2.close();
  });

  it('detect a damaged partial file on resume: the CRC32C in the 206 reply covers the whole blob', async () => {
    const dest = join(dir, 'damaged.out');
    const first = new RecordingTransport();
    first.after = (_req, res) => cutAfter(res, 500_000);
    const m1 = new TransferManager({ adapter: adapterFor(container.name), transport: first, retry: { retries: 0 } });
    await expect(m1.download(uploaded.url, dest)).rejects.toMatchObject({ code: 'Network' });
    await m1.close();
    const partial = await readFile(partialPaths(dest).data);
    partial[10] = partial[10]! ^ 0xff;
    await writeFile(partialPaths(dest).data, partial);

    const m2 = new TransferManager({ adapter: adapterFor(container.name) });
    await expect(m2.download(uploaded.url, dest)).rejects.toMatchObject({ code: 'ChecksumMismatch' });
    expect(existsSync(dest)).toBe(false);
    await m2.close();
  });

  it('start over when the blob changed between runs (If-Match refused)', async () => {
    const key = 'changing.bin';
    const before = randomData(600_000);
    const after = randomData(600_000);
    await container.client.getBlockBlobClient(key).uploadData(before);
    const adapter = adapterFor(container.name);
    const url = await adapter.presignDownload(key);
    const dest = join(dir, 'changing.out');
    const first = new RecordingTransport();
    first.after = (_req, res) => cutAfter(res, 200_000);
    const m1 = new TransferManager({ adapter, transport: first, retry: { retries: 0 } });
    await expect(m1.download(url, dest)).rejects.toMatchObject({ code: 'Network' });
    await m1.close();

    await container.client.getBlockBlobClient(key).uploadData(after);
    const second = new RecordingTransport();
    const m2 = new TransferManager({ adapter, transport: second, retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 20 } });
    await m2.download(url, dest);
    expect((await readFile(dest)).equals(after)).toBe(true);
    expect(second.requests.map((r) => r.status)).toEqual([412, 200]);
    await m2.close();
  });
});
