/**
 * A SAS that expires during a long upload is re-issued and the transfer goes
 * on. Azurite checks `se=` for real; `sasExpiresIn: 1` makes a part signed two
 * seconds before it is sent arrive with an expired SAS.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { checksumsOf, NodeHttpTransport, TransferManager, type PartsUpload, type SignedRequest, type StoreResponse } from '@filexfer/core';
import { AzureAdapter } from '@filexfer/azure';
import { CONNECTION_STRING, createContainer, randomData, RecordingTransport, sleep } from './helpers.js';

const PART = 256 * 1024;
let container: Awaited<ReturnType<typeof createContainer>>;
let dir: string;

beforeAll(async () => {
  container = await createContainer();
  dir = await mkdtemp(join(tmpdir(), 'fx-azure-expiry-'));
});
afterAll(async () => {
  await container?.remove();
  await rm(dir, { recursive: true, force: true });
});

async function send(transport: NodeHttpTransport, request: SignedRequest, body: Buffer): Promise<StoreResponse> {
  const res = await transport.send({ ...request, body });
  return { status: res.status, headers: res.headers, bodyText: await readBody(res.body) };
}

async function readBody(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('an upload SAS that expires', () => {
  it('is refused by Azurite, classified Expired, and a re-signed part is accepted', async () => {
    const adapter = new AzureAdapter({ container: container.name, connectionString: CONNECTION_STRING, sasExpiresIn: 1 });
    const data = randomData(2 * PART);
    const plan = (await adapter.createUpload({ key: 'expiry/direct.bin', size: data.length, expiresIn: 3600, partSize: PART })) as PartsUpload;
    const transport = new NodeHttpTransport();
    const parts = [1, 2].map((n) => ({ partNumber: n, offset: (n - 1) * PART, size: PART, isLast: n === 2 }));
    const bodies = parts.map((p) => data.subarray(p.offset, p.offset + p.size));
    const sums = bodies.map((b) => checksumsOf(b, true));

    const stale = await plan.signPart(parts[0]!, sums[0]!);
    await sleep(2100);
    const refused = await send(transport, stale, bodies[0]!);
    expect(refused.status).toBe(403);
    expect(adapter.classifyError(refused, stale)).toMatchObject({ code: 'Expired' });
    // Azurite's reply alone is the same as for a bad signature: the request's se= is what tells them apart.
    expect(refused.headers['x-ms-error-code']).toBe('AuthorizationFailure');
    expect(adapter.classifyError(refused)).toMatchObject({ code: 'Unauthenticated' });

    const fresh = await plan.signPart(parts[0]!, sums[0]!);
    expect(new URL(fresh.url).searchParams.get('sig')).not.toBe(new URL(stale.url).searchParams.get('sig'));
    const accepted = await send(transport, fresh, bodies[0]!);
    expect(accepted.status).toBe(201);
    const second = await send(transport, await plan.signPart(parts[1]!, sums[1]!), bodies[1]!);
    expect(second.status).toBe(201);
    const done = [plan.readPart(parts[0]!, sums[0]!, accepted).part, plan.readPart(parts[1]!, sums[1]!, second).part];
    await plan.complete(done, { size: data.length, crc32c: checksumsOf(data, false).crc32c });
    expect((await container.client.getBlobClient('expiry/direct.bin').downloadToBuffer()).equals(data)).toBe(true);
    transport.close();
  });

  it('is re-issued by the engine mid-upload, and the upload completes', async () => {
    const transport = new RecordingTransport();
    // Stands in for core passing the failed request to classifyError (requested);
    // with one part in flight at a time, the last request sent is the one refused.
    class Adapter extends AzureAdapter {
      override classifyError(response: StoreResponse, request?: SignedRequest) {
        const last = transport.requests[transport.requests.length - 1];
        return super.classifyError(response, request ?? (last && { method: 'PUT', url: last.url.toString() }));
      }
    }
    const adapter = new Adapter({ container: container.name, connectionString: CONNECTION_STRING, sasExpiresIn: 1 });
    let delayed = false;
    transport.before = async () => {
      // The first attempt at the third block waits until its SAS has expired.
      if (!delayed && transport.blockPuts().length === 3) {
        delayed = true;
        await sleep(2100);
      }
    };
    const manager = new TransferManager({ adapter, transport, partSize: PART, partConcurrency: 1, retry: { retries: 3, baseDelayMs: 10, maxDelayMs: 50 } });
    const data = randomData(5 * PART + 3);
    await writeFile(join(dir, 'long.bin'), data);
    const up = await manager.upload(join(dir, 'long.bin'), { key: 'expiry/long.bin' });
    expect(up.isTransferred()).toBe(true);

    const blocks = transport.blockPuts();
    expect(blocks.map((b) => b.status)).toEqual([201, 201, 403, 201, 201, 201, 201]);
    expect(blocks[3]!.url.searchParams.get('blockid')).toBe(blocks[2]!.url.searchParams.get('blockid'));
    expect(blocks[3]!.url.searchParams.get('se')).not.toBe(blocks[2]!.url.searchParams.get('se'));
    expect((await container.client.getBlobClient('expiry/long.bin').downloadToBuffer()).equals(data)).toBe(true);
    await manager.close();
  });
});
