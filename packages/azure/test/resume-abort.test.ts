/**
 * Resume and stop against Azurite: Get Block List (uncommitted) tells which
 * of this upload's blocks the store holds and only the missing ones are sent;
 * a stopped upload commits nothing, so no blob appears.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileMode, FileXferError, TransferManager, type PartsUpload, type UploadState } from '@filexfer/core';
import { blockId, newUploadId } from '../src/blocks.js';
import { adapterFor, createContainer, randomData, RecordingTransport } from './helpers.js';

const PART = 256 * 1024;
let container: Awaited<ReturnType<typeof createContainer>>;
let dir: string;

beforeAll(async () => {
  container = await createContainer();
  dir = await mkdtemp(join(tmpdir(), 'fx-azure-resume-'));
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

const partOf = (id: string | null) => Number(Buffer.from(id ?? '', 'base64').toString('ascii').slice(16));

describe('resuming an upload', () => {
  it('sends only the blocks Azure does not hold, ignoring other uploads\' blocks, then commits', async () => {
    const key = 'resume/big.bin';
    const size = 7 * PART + 99;
    const src = await file('resume.bin', size);
    const adapter = adapterFor(container.name);

    // First run: blocks 1-3 arrive, block 4 fails for good.
    const first = new RecordingTransport();
    first.before = () => {
      if (first.blockPuts().length === 4) throw new FileXferError('PermissionDenied', 'refused by the test', { retryable: false });
    };
    const m1 = new TransferManager({ adapter, transport: first, partSize: PART, partConcurrency: 1 });
    const upload = m1.getFileInstance({ mode: FileMode.UPLOAD, path: src.path, key });
    m1.startFileTransfer(upload);
    await expect(upload.done()).rejects.toMatchObject({ code: 'PermissionDenied' });
    await m1.close();
    const state = JSON.parse(JSON.stringify(upload.uploadState)) as UploadState; // as a journal would keep it
    expect(state).toMatchObject({ adapter: 'azure', key, size, partSize: PART, container: container.name });
    expect(await adapter.stat(key)).toBeNull();

    // Someone else's upload to the same key leaves a block too (same id length, other prefix).
    const foreign = blockId(newUploadId(), 5);
    await container.client.getBlockBlobClient(key).stageBlock(foreign, Buffer.alloc(PART), PART);

    // Get Block List (uncommitted), filtered to this upload.
    const session = (await adapter.resumeUpload(state)) as PartsUpload;
    expect((await session.listParts()).map((p) => [p.partNumber, p.size])).toEqual([
      [1, PART],
      [2, PART],
      [3, PART],
    ]);

    // Second run: parts 4..8 only.
    const second = new RecordingTransport();
    const m2 = new TransferManager({ adapter, transport: second, partSize: PART });
    const done = await m2.resumeUpload(src.path, state);
    expect(done.isTransferred()).toBe(true);
    expect(second.blockPuts().map((r) => partOf(r.url.searchParams.get('blockid'))).sort((a, b) => a - b)).toEqual([4, 5, 6, 7, 8]);
    const blob = container.client.getBlockBlobClient(key);
    expect((await blob.downloadToBuffer()).equals(src.data)).toBe(true);
    const committed = (await blob.getBlockList('all'));
    expect(committed.committedBlocks!.map((b) => b.name)).toEqual(Array.from({ length: 8 }, (_, i) => blockId(state.uploadId as string, i + 1)));
    expect(committed.uncommittedBlocks).toEqual([]); // the foreign block was dropped by the commit, never committed
    expect((await blob.getProperties()).metadata?.crc32c).toBe(done.checksum!.crc32c);
    await m2.close();
  });

  it('with nothing held yet, lists no parts', async () => {
    const adapter = adapterFor(container.name);
    const plan = (await adapter.createUpload({ key: 'resume/nothing.bin', size: 3 * PART, expiresIn: 60, partSize: PART })) as PartsUpload;
    expect(await plan.listParts()).toEqual([]);
  });
});

describe('stopping an upload', () => {
  it('commits nothing: no blob appears, and its blocks stay uncommitted until Azure drops them', async () => {
    const key = 'stop/big.bin';
    const src = await file('stop.bin', 8 * PART);
    const adapter = adapterFor(container.name);
    const transport = new RecordingTransport();
    const manager = new TransferManager({ adapter, transport, partSize: PART, partConcurrency: 2, progressIntervalMs: 0 });
    const controller = new AbortController();
    // Stop once Azure has accepted two blocks.
    transport.after = (_req, res) => {
      if (transport.blockPuts().filter((r) => r.status === 201).length >= 2) controller.abort();
      return res;
    };
    const error = await manager.upload(src.path, { key, signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'Aborted' });
    await manager.close();

    expect(await adapter.stat(key)).toBeNull();
    const names: string[] = [];
    for await (const b of container.client.listBlobsFlat({ prefix: 'stop/' })) names.push(b.name);
    expect(names).toEqual([]);
    const blob = container.client.getBlockBlobClient(key);
    await expect(blob.download()).rejects.toMatchObject({ statusCode: 404 });
    // The blocks that arrived are there, uncommitted (garbage-collected by Azure after 7 days).
    const accepted = transport.blockPuts().filter((r) => r.status === 201).length;
    expect(accepted).toBeGreaterThan(0);
    const list = await blob.getBlockList('uncommitted');
    // (A block in flight when the stop came may have landed too.)
    expect(list.uncommittedBlocks!.length).toBeGreaterThanOrEqual(accepted);
    expect(transport.requests.some((r) => r.url.searchParams.get('comp') === 'blocklist')).toBe(false);
  });

  it('an aborted session refuses to sign or commit, even when asked', async () => {
    const adapter = adapterFor(container.name);
    const plan = (await adapter.createUpload({ key: 'stop/late.bin', size: 2 * PART, expiresIn: 60, partSize: PART })) as PartsUpload;
    await plan.abort();
    await expect(plan.signPart({ partNumber: 1, offset: 0, size: PART, isLast: false }, { crc32c: 'AAAAAA==', md5: 'x' })).rejects.toMatchObject({ code: 'Aborted' });
    await expect(
      plan.complete(
        [
          { partNumber: 1, size: PART },
          { partNumber: 2, size: PART },
        ],
        { size: 2 * PART, crc32c: 'AAAAAA==' },
      ),
    ).rejects.toMatchObject({ code: 'Aborted' });
    expect(await adapter.stat('stop/late.bin')).toBeNull();
  });
});
