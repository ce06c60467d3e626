/** Shared pieces of the integration tests: Azurite, a container per test file, a recording transport. */
import { randomBytes, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { cutAfter, RecordingTransport as CoreRecordingTransport, type Recorded } from '@filexfer/core/testing';
import { AzureAdapter, type AzureAdapterOptions } from '@filexfer/azure';

/** Azurite's well-known development account unless the environment points elsewhere. */
export const CONNECTION_STRING = process.env.FILEXFER_AZURE_CONNECTION_STRING ?? 'UseDevelopmentStorage=true';
/** Azurite's documented development account key (public, not a secret). */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export function serviceClient(): BlobServiceClient {
  return BlobServiceClient.fromConnectionString(CONNECTION_STRING);
}

/** Fails (never skips) with a message saying how to start Azurite when it does not answer. */
export async function requireAzurite(): Promise<void> {
  const url = new URL(serviceClient().url);
  await new Promise<void>((resolve, reject) => {
    const req = request(url, { method: 'GET', timeout: 3000 }, (res) => {
      res.resume();
      resolve();
    });
    const fail = (why: string) =>
      reject(new Error(`Azurite is not reachable at ${url.origin} (${why}): start it with \`pnpm emulators:start\` (or set FILEXFER_AZURE_CONNECTION_STRING).`));
    req.on('timeout', () => {
      req.destroy();
      fail('no answer in 3 s');
    });
    req.on('error', (e: NodeJS.ErrnoException) => fail(e.code ?? e.message));
    req.end();
  });
}

/** A fresh container for one test file, deleted afterwards. */
export async function createContainer(): Promise<{ name: string; client: ContainerClient; remove: () => Promise<void> }> {
  await requireAzurite();
  const name = `fx-${randomUUID().slice(0, 12)}`;
  const client = serviceClient().getContainerClient(name);
  await client.create();
  return { name, client, remove: async () => void (await client.deleteIfExists()) };
}

export function adapterFor(container: string, options: Partial<AzureAdapterOptions> = {}): AzureAdapter {
  return new AzureAdapter({ container, connectionString: CONNECTION_STRING, ...options } as AzureAdapterOptions);
}

/** Core's recording transport, plus the filter this store's tests read. */
export class RecordingTransport extends CoreRecordingTransport {
  /** Block PUTs (Put Block), in the order they were sent. */
  blockPuts(): Recorded[] {
    return this.requests.filter((r) => r.method === 'PUT' && r.url.searchParams.get('comp') === 'block');
  }
}

export { cutAfter, type Recorded };

export function randomData(size: number): Buffer {
  return randomBytes(size);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
