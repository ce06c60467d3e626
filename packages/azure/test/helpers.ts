/** Shared pieces of the integration tests: Azurite, a container per test file, a recording transport. */
import { randomBytes, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { NodeHttpTransport, type Transport, type TransportRequest, type TransportResponse } from '@filexfer/core';
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

export interface Recorded {
  method: string;
  url: URL;
  headers: Record<string, string>;
  status?: number;
}

/**
 * The engine's real node:http transport, recording every request (method, URL,
 * headers, status) and how many were in flight at once; `before` may delay or
 * fail a request, `after` may replace the reply (e.g. cut its body).
 */
export class RecordingTransport implements Transport {
  private readonly inner = new NodeHttpTransport();
  readonly requests: Recorded[] = [];
  inFlight = 0;
  maxInFlight = 0;
  before?: (req: TransportRequest, index: number) => Promise<void> | void;
  after?: (req: TransportRequest, res: TransportResponse, index: number) => TransportResponse;

  async send(req: TransportRequest): Promise<TransportResponse> {
    const index = this.requests.length;
    const record: Recorded = { method: req.method, url: new URL(req.url), headers: { ...(req.headers ?? {}) } };
    this.requests.push(record);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.before?.(req, index);
      const res = await this.inner.send(req);
      record.status = res.status;
      return this.after ? this.after(req, res, index) : res;
    } finally {
      this.inFlight--;
    }
  }

  /** Block PUTs (Put Block), in the order they were sent. */
  blockPuts(): Recorded[] {
    return this.requests.filter((r) => r.method === 'PUT' && r.url.searchParams.get('comp') === 'block');
  }

  close(): void {
    this.inner.close?.();
  }
}

/** A reply whose body stops with an error after `bytes` bytes, as if the connection were cut. */
export function cutAfter(res: TransportResponse, bytes: number): TransportResponse {
  const body: Readable = res.body;
  async function* cut() {
    let seen = 0;
    for await (const chunk of body) {
      const buf = chunk as Buffer;
      if (seen + buf.length < bytes) {
        seen += buf.length;
        yield buf;
        continue;
      }
      yield buf.subarray(0, bytes - seen);
      body.destroy();
      throw Object.assign(new Error('connection cut by the test'), { code: 'ECONNRESET' });
    }
  }
  return { ...res, body: Readable.from(cut(), { objectMode: false }) };
}

export function randomData(size: number): Buffer {
  return randomBytes(size);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
