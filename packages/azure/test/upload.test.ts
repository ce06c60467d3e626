/**
 * Uploads against Azurite: SAS URLs only, one Put Blob below the threshold,
 * parallel Put Block with per-upload equal-length block ids and Content-MD5
 * above it, then Put Block List in order.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TransferManager, checksumsOf } from '@filexfer/core';
import { createHash } from 'node:crypto';
import { blockId } from '../src/blocks.js';
import { adapterFor, createContainer, randomData, RecordingTransport, type Recorded } from './helpers.js';

const PART = 256 * 1024;
let container: Awaited<ReturnType<typeof createContainer>>;
let dir: string;

beforeAll(async () => {
  container = await createContainer();
  dir = await mkdtemp(join(tmpdir(), 'fx-azure-up-'));
});
afterAll(async () => {
  await container?.remove();
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, size: number) {
  const data = randomData(size);
  const path = join(dir, name);
  await writeFile(path, data);
  return { path, data };
}

function expectSasOnly(r: Recorded, permissions: string, maxSeconds: number) {
  expect(r.headers.authorization).toBeUndefined(); // no shared-key header: the SAS is the only credential
  expect(r.url.searchParams.get('sr')).toBe('b');
  expect(r.url.searchParams.get('sp')).toBe(permissions);
  const left = (Date.parse(r.url.searchParams.get('se')!) - Date.now()) / 1000;
  expect(left).toBeLessThanOrEqual(maxSeconds);
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('base64');

describe('uploads to Azurite', () => {
  it('sends a file at or below the part size as one Put Blob over a create+write SAS with Content-MD5', async () => {
    const transport = new RecordingTransport();
    const adapter = adapterFor(container.name, { sasExpiresIn: 120 });
    const manager = new TransferManager({ adapter, transport, partSize: PART });
    const src = await file('small.txt', PART);
    const up = await manager.upload(src.path, { key: 'small/one.txt', contentType: 'text/plain', metadata: { sender: 'alice' } });

    const puts = transport.requests.filter((r) => r.method === 'PUT');
    expect(puts).toHaveLength(1);
    expectSasOnly(puts[0]!, 'cw', 120);
    expect(puts[0]!.url.searchParams.get('comp')).toBeNull();
    expect(puts[0]!.headers).toMatchObject({ 'x-ms-blob-type': 'BlockBlob', 'content-md5': md5(src.data), 'x-ms-meta-crc32c': up.checksum!.crc32c });

    const props = await container.client.getBlobClient('small/one.txt').getProperties();
    expect(props.contentLength).toBe(PART);
    expect(props.contentType).toBe('text/plain');
    expect(Buffer.from(props.contentMD5!).toString('base64')).toBe(md5(src.data));
    expect(props.metadata).toMatchObject({ crc32c: up.checksum!.crc32c, sender: 'alice' });
    expect(await adapter.stat('small/one.txt')).toMatchObject({ size: PART, contentType: 'text/plain', crc32c: up.checksum!.crc32c, md5: md5(src.data) });
    await manager.close();
  });

  it('sends a larger file as parallel Put Blocks with Content-MD5, then commits them in order', async () => {
    const transport = new RecordingTransport();
    const adapter = adapterFor(container.name, { sasExpiresIn: 120 });
    const manager = new TransferManager({ adapter, transport, partSize: PART, partConcurrency: 4 });
    const size = 9 * PART + 1234;
    const src = await file('big.bin', size);
    const up = await manager.upload(src.path, { key: 'big/file.bin', contentType: 'application/x-test' });

    const blocks = transport.blockPuts();
    expect(blocks).toHaveLength(10);
    expect(transport.maxInFlight).toBeGreaterThan(1); // parts went in parallel
    for (const b of blocks) {
      expectSasOnly(b, 'cw', 120);
      expect(b.status).toBe(201);
    }
    // Every block carried the MD5 of exactly its bytes.
    const byId = new Map(blocks.map((b) => [b.url.searchParams.get('blockid')!, b]));
    const state = (await uploadIdOf('big/file.bin'))!;
    for (let n = 1; n <= 10; n++) {
      const bytes = src.data.subarray((n - 1) * PART, Math.min(size, n * PART));
      expect(byId.get(blockId(state, n))?.headers['content-md5']).toBe(md5(bytes));
    }

    // The committed list is this upload's ids, in part order, all of one length.
    const committed = (await container.client.getBlockBlobClient('big/file.bin').getBlockList('committed')).committedBlocks!;
    expect(committed.map((b) => b.name)).toEqual(Array.from({ length: 10 }, (_, i) => blockId(state, i + 1)));
    expect(new Set(committed.map((b) => b.name.length)).size).toBe(1);
    expect(committed.map((b) => b.size)).toEqual([...Array(9).fill(PART), 1234]);

    const props = await container.client.getBlobClient('big/file.bin').getProperties();
    expect(props.contentLength).toBe(size);
    expect(props.contentType).toBe('application/x-test');
    expect(props.metadata?.crc32c).toBe(up.checksum!.crc32c);
    const got = await container.client.getBlobClient('big/file.bin').downloadToBuffer();
    expect(got.equals(src.data)).toBe(true);
    await manager.close();
  });

  it('gives two uploads of the same key different block ids', async () => {
    const transport = new RecordingTransport();
    const manager = new TransferManager({ adapter: adapterFor(container.name), transport, partSize: PART });
    const src = await file('twice.bin', 2 * PART + 1);
    await manager.upload(src.path, { key: 'twice.bin' });
    await manager.upload(src.path, { key: 'twice.bin' });
    const ids = transport.blockPuts().map((b) => b.url.searchParams.get('blockid'));
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
    await manager.close();
  });

  it('lets Azure check each block: a block corrupted on the way is refused and no blob appears', async () => {
    const transport = new RecordingTransport();
    let corrupted = 0;
    transport.before = (req) => {
      const u = new URL(req.url);
      if (u.searchParams.get('comp') === 'block' && corrupted === 0 && req.body && req.body.byteLength > 0) {
        corrupted++;
        const copy = Buffer.from(req.body);
        copy[0] = copy[0]! ^ 0xff;
        req.body = copy; // same length, different bytes than the Content-MD5 says
      }
    };
    const adapter = adapterFor(container.name);
    const manager = new TransferManager({ adapter, transport, partSize: PART, partConcurrency: 1 });
    const src = await file('corrupt.bin', 3 * PART);
    const error = await manager.upload(src.path, { key: 'corrupt.bin' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ChecksumMismatch', adapter: 'azure' });
    expect((error as Error).message).toMatch(/corrupted on the way/);
    expect(transport.blockPuts()[0]!.status).toBe(400);
    expect(await adapter.stat('corrupt.bin')).toBeNull();
    await manager.close();
  });

  it('lets Azure check a single Put Blob the same way', async () => {
    const transport = new RecordingTransport();
    transport.before = (req) => {
      if (req.method === 'PUT' && req.body && req.body.byteLength > 0) {
        const copy = Buffer.from(req.body);
        copy[copy.length - 1] = copy[copy.length - 1]! ^ 0x01;
        req.body = copy;
      }
    };
    const adapter = adapterFor(container.name);
    const manager = new TransferManager({ adapter, transport, partSize: PART });
    const src = await file('corrupt-small.bin', 1000);
    await expect(manager.upload(src.path, { key: 'corrupt-small.bin' })).rejects.toMatchObject({ code: 'ChecksumMismatch' });
    expect(await adapter.stat('corrupt-small.bin')).toBeNull();
    await manager.close();
  });

  it('signs blob names with spaces, unicode and URL metacharacters', async () => {
    const adapter = adapterFor(container.name);
    const manager = new TransferManager({ adapter, partSize: PART });
    for (const [i, key] of ['dir with space/ünïcödé file.txt', 'a+b=c&d?e#f%20g.bin', 'deep/er/path/x;y,z@1.bin'].entries()) {
      const src = await file(`odd-${i}.bin`, i === 0 ? 100 : PART + 7);
      const up = await manager.upload(src.path, { key });
      expect(up.key).toBe(key);
      expect((await adapter.stat(key))?.size).toBe(src.data.length);
      const dest = join(dir, `odd-${i}.out`);
      await manager.download(up.url, dest, { checksum: up.checksum });
      expect((await container.client.getBlobClient(key).downloadToBuffer()).equals(src.data)).toBe(true);
    }
    await manager.close();
  });

  it('works with accountName + accountKey + endpoint (the same development account)', async () => {
    const { DEV_ACCOUNT, DEV_KEY } = await import('./helpers.js');
    const endpoint = new URL(container.client.url);
    endpoint.pathname = `/${DEV_ACCOUNT}`;
    const adapter = adapterFor(container.name, { connectionString: undefined, accountName: DEV_ACCOUNT, accountKey: DEV_KEY, endpoint: endpoint.toString() });
    const manager = new TransferManager({ adapter, partSize: PART });
    const src = await file('by-key.bin', PART + 5);
    const up = await manager.upload(src.path, { key: 'by-key.bin' });
    expect(up.checksum!.crc32c).toBe(checksumsOf(src.data, false).crc32c);
    const got = await container.client.getBlobClient('by-key.bin').downloadToBuffer();
    expect(got.equals(src.data)).toBe(true);
    await manager.close();
  });
});

/** The upload id of the (single, committed) upload of `key`, read back from its committed block ids. */
async function uploadIdOf(key: string): Promise<string | undefined> {
  const list = await container.client.getBlockBlobClient(key).getBlockList('committed');
  const first = list.committedBlocks?.[0]?.name;
  return first ? Buffer.from(first, 'base64').toString('ascii').slice(0, 16) : undefined;
}
