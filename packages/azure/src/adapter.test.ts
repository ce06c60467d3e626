import { FileXferError, type PartsUpload, type SingleUpload } from '@filexfer/core';
import { AzureAdapter } from './adapter.js';
import { blockId } from './blocks.js';
import { STORAGE_VERSION } from './sas.js';

// Signing is local (HMAC with the account key): none of these tests touch the network.
const adapter = new AzureAdapter({ container: 'uploads', connectionString: 'UseDevelopmentStorage=true', sasExpiresIn: 300 });
const MD5 = '1B2M2Y8AsgTpgAmY7PhCfg==';
const CRC = 'AAAAAA==';

function sas(url: string) {
  const u = new URL(url);
  return { path: u.pathname, q: u.searchParams };
}

function expectBlobSas(url: string, permissions: string, maxSeconds: number) {
  const { q } = sas(url);
  expect(q.get('sr')).toBe('b'); // one blob, not the container
  expect(q.get('sp')).toBe(permissions);
  expect(q.get('sv')).toBe(STORAGE_VERSION);
  expect(q.get('st')).toBeNull(); // no start time: a fast client clock cannot make it "not yet valid"
  expect(q.get('sig')).toBeTruthy();
  const seconds = (Date.parse(q.get('se')!) - Date.now()) / 1000;
  expect(seconds).toBeGreaterThan(maxSeconds - 5);
  expect(seconds).toBeLessThanOrEqual(maxSeconds);
}

describe('AzureAdapter signing', () => {
  it('signs a small file as one Put Blob over a create+write SAS with Content-MD5 and the CRC32C', async () => {
    const plan = (await adapter.createUpload({ key: 'dir/a b.txt', size: 10, contentType: 'text/plain', expiresIn: 3600, partSize: 10, metadata: { from: 'me' } })) as SingleUpload;
    expect(plan.kind).toBe('single');
    expect(plan.wantsMd5).toBe(true);
    const req = await plan.sign({ crc32c: CRC, md5: MD5 });
    expect(req.method).toBe('PUT');
    expect(sas(req.url).path).toBe('/devstoreaccount1/uploads/dir/a%20b.txt');
    expectBlobSas(req.url, 'cw', 300);
    expect(req.headers).toEqual({
      'x-ms-blob-type': 'BlockBlob',
      'x-ms-version': STORAGE_VERSION,
      'x-ms-blob-content-type': 'text/plain',
      'content-md5': MD5,
      'x-ms-meta-crc32c': CRC,
      'x-ms-meta-from': 'me',
    });
  });

  it('uses the shorter of sasExpiresIn and the engine expiresIn', async () => {
    const plan = (await adapter.createUpload({ key: 'k', size: 1, expiresIn: 60, partSize: 8 })) as SingleUpload;
    expectBlobSas((await plan.sign({ crc32c: CRC, md5: MD5 })).url, 'cw', 60);
  });

  it('signs each block at call time with its own block id and Content-MD5', async () => {
    const plan = (await adapter.createUpload({ key: 'big.bin', size: 25, expiresIn: 3600, partSize: 10 })) as PartsUpload;
    expect(plan).toMatchObject({ kind: 'parts', parallel: true, wantsMd5: true, partSize: 10 });
    expect(plan.state).toMatchObject({ adapter: 'azure', key: 'big.bin', size: 25, partSize: 10, container: 'uploads' });
    const uploadId = plan.state.uploadId as string;
    const req = await plan.signPart({ partNumber: 3, offset: 20, size: 5, isLast: true }, { crc32c: CRC, md5: MD5 });
    const { q } = sas(req.url);
    expect(q.get('comp')).toBe('block');
    expect(q.get('blockid')).toBe(blockId(uploadId, 3));
    expectBlobSas(req.url, 'cw', 300);
    expect(req.headers).toEqual({ 'x-ms-version': STORAGE_VERSION, 'content-md5': MD5 });
    const result = plan.readPart({ partNumber: 3, offset: 20, size: 5, isLast: true }, { crc32c: CRC, md5: MD5 }, { status: 201, headers: { 'content-md5': MD5 } });
    expect(result.part).toEqual({ partNumber: 3, size: 5, etag: blockId(uploadId, 3), crc32c: CRC });
    // Two uploads of the same key never share block ids.
    const other = (await adapter.createUpload({ key: 'big.bin', size: 25, expiresIn: 3600, partSize: 10 })) as PartsUpload;
    expect(other.state.uploadId).not.toBe(uploadId);
  });

  it('refuses a part that is not this upload\'s, or that comes without its MD5', async () => {
    const plan = (await adapter.createUpload({ key: 'big.bin', size: 25, expiresIn: 3600, partSize: 10 })) as PartsUpload;
    await expect(plan.signPart({ partNumber: 4, offset: 30, size: 5, isLast: true }, { crc32c: CRC, md5: MD5 })).rejects.toThrow(/outside 1..3/);
    await expect(plan.signPart({ partNumber: 1, offset: 0, size: 9, isLast: false }, { crc32c: CRC, md5: MD5 })).rejects.toThrow(/has 9 bytes/);
    await expect(plan.signPart({ partNumber: 1, offset: 0, size: 10, isLast: false }, { crc32c: CRC })).rejects.toThrow(/without its MD5/);
    expect(() => plan.readPart({ partNumber: 1, offset: 0, size: 10, isLast: false }, { crc32c: CRC, md5: MD5 }, { status: 201, headers: { 'content-md5': 'AAAA' } })).toThrow(
      expect.objectContaining({ code: 'ChecksumMismatch' }),
    );
  });

  it('after abort() signs and commits nothing more', async () => {
    const plan = (await adapter.createUpload({ key: 'big.bin', size: 25, expiresIn: 3600, partSize: 10 })) as PartsUpload;
    await plan.abort();
    await plan.abort(); // idempotent
    await expect(plan.signPart({ partNumber: 1, offset: 0, size: 10, isLast: false }, { crc32c: CRC, md5: MD5 })).rejects.toMatchObject({ code: 'Aborted' });
    await expect(plan.complete([], { size: 25, crc32c: CRC })).rejects.toMatchObject({ code: 'Aborted' });
  });

  it('refuses to commit an incomplete part list', async () => {
    const plan = (await adapter.createUpload({ key: 'big.bin', size: 25, expiresIn: 3600, partSize: 10 })) as PartsUpload;
    await expect(plan.complete([{ partNumber: 1, size: 10 }, { partNumber: 3, size: 5 }], { size: 25, crc32c: CRC })).rejects.toThrow(/missing 2/);
  });

  it('presigns a read-only download and a create+write upload', async () => {
    expectBlobSas(await adapter.presignDownload('k'), 'r', 3600);
    expectBlobSas(await adapter.presignDownload('k', { expiresIn: 7 * 24 * 3600 }), 'r', 7 * 24 * 3600);
    const up = await adapter.presignUpload('k', { contentType: 'image/png', expiresIn: 120 });
    expectBlobSas(up.url, 'cw', 120);
    expect(up.headers).toMatchObject({ 'x-ms-blob-type': 'BlockBlob', 'x-ms-blob-content-type': 'image/png' });
    await expect(adapter.presignDownload('k', { expiresIn: 0 })).rejects.toMatchObject({ code: 'InvalidInput' });
  });

  it('rebuilds a session from its state, and refuses a state that is not its own', async () => {
    const plan = (await adapter.createUpload({ key: 'big.bin', size: 25, expiresIn: 3600, partSize: 10, contentType: 'a/b' })) as PartsUpload;
    const state = JSON.parse(JSON.stringify(plan.state));
    const again = await adapter.resumeUpload(state);
    expect(again.state).toEqual(plan.state);
    const req = await again.signPart({ partNumber: 2, offset: 10, size: 10, isLast: false }, { crc32c: CRC, md5: MD5 });
    expect(sas(req.url).q.get('blockid')).toBe(blockId(state.uploadId, 2));
    await expect(adapter.resumeUpload({ ...state, adapter: 's3' })).rejects.toThrow(/"s3" adapter/);
    await expect(adapter.resumeUpload({ ...state, container: 'other' })).rejects.toThrow(/container "other"/);
    await expect(adapter.resumeUpload({ ...state, uploadId: '../x' })).rejects.toThrow(/uploadId/);
    await expect(adapter.resumeUpload({ ...state, size: 5 })).rejects.toThrow(/size/);
  });

  it('checks keys, sizes and metadata', async () => {
    const input = { key: 'k', size: 1, expiresIn: 60, partSize: 8 };
    await expect(adapter.createUpload({ ...input, key: '' })).rejects.toThrow(/1 to 1024/);
    await expect(adapter.createUpload({ ...input, key: 'x'.repeat(1025) })).rejects.toThrow(/1 to 1024/);
    await expect(adapter.createUpload({ ...input, size: -1 })).rejects.toThrow(/size/);
    await expect(adapter.createUpload({ ...input, metadata: { 'bad-name': 'x' } })).rejects.toThrow(/letters, digits and underscores/);
    await expect(adapter.createUpload({ ...input, metadata: { crc32c: 'x' } })).rejects.toThrow(/reserved/);
    await expect(adapter.createUpload({ ...input, metadata: { name: 'héllo' } })).rejects.toThrow(/printable ASCII/);
    await expect(adapter.createUpload({ ...input, size: 2 ** 53 })).rejects.toBeInstanceOf(FileXferError);
  });

  it('reads whole-object checksums from full and ranged replies', () => {
    expect(adapter.checksumsFromResponse({ status: 200, headers: { 'content-md5': MD5, 'x-ms-meta-crc32c': CRC } })).toEqual({ md5: MD5, crc32c: CRC });
    // In a 206, Content-MD5 would be the range's; x-ms-blob-content-md5 and the metadata are the whole blob's.
    expect(
      adapter.checksumsFromResponse({ status: 206, headers: { 'content-md5': 'range', 'x-ms-blob-content-md5': MD5, 'x-ms-meta-crc32c': CRC, 'content-range': 'bytes 5-9/10' } }),
    ).toEqual({ md5: MD5, crc32c: CRC });
    expect(adapter.checksumsFromResponse({ status: 200, headers: {} })).toEqual({});
    expect(adapter.checksumsFromResponse({ status: 404, headers: { 'x-ms-meta-crc32c': CRC } })).toEqual({});
  });
});
