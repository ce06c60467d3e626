/** Shared pieces of the integration tests: MinIO, a bucket per test file, a recording transport. */
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type MultipartUpload,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { type Checksums, type PartSpec, type PartsUpload, type SignedRequest, type StorageAdapter, type UploadPlan } from '@filexfer/core';
import { cutAfter, RecordingTransport as CoreRecordingTransport, type Recorded } from '@filexfer/core/testing';
import { S3Adapter, type S3AdapterOptions } from '@filexfer/s3';

/** MinIO started by `pnpm emulators:start`, unless the environment points elsewhere. */
export const ENDPOINT = process.env.FILEXFER_S3_ENDPOINT ?? 'http://127.0.0.1:9000';
export const CREDENTIALS = {
  accessKeyId: process.env.FILEXFER_S3_ACCESS_KEY ?? 'filexfer',
  secretAccessKey: process.env.FILEXFER_S3_SECRET_KEY ?? 'filexfer-secret',
};
export const REGION = 'us-east-1';

/** A plain SDK client for the tests' own checks (ListMultipartUploads, cleanup). */
export function sdkClient(): S3Client {
  return new S3Client({ region: REGION, endpoint: ENDPOINT, forcePathStyle: true, credentials: CREDENTIALS });
}

/** Fails (never skips) with a message saying how to start MinIO when it does not answer. */
export async function requireMinio(): Promise<void> {
  const url = new URL('/minio/health/live', ENDPOINT);
  await new Promise<void>((resolve, reject) => {
    const req = request(url, { method: 'GET', timeout: 3000 }, (res) => {
      res.resume();
      if (res.statusCode === 200) resolve();
      else reject(new Error(`MinIO at ${ENDPOINT} answered ${res.statusCode} to its health check: restart it with \`pnpm emulators:stop && pnpm emulators:start\`.`));
    });
    const fail = (why: string) => reject(new Error(`MinIO is not reachable at ${ENDPOINT} (${why}): start it with \`pnpm emulators:start\` (or set FILEXFER_S3_ENDPOINT).`));
    req.on('timeout', () => {
      req.destroy();
      fail('no answer in 3 s');
    });
    req.on('error', (e: NodeJS.ErrnoException) => fail(e.code ?? e.message));
    req.end();
  });
}

export interface TestBucket {
  name: string;
  client: S3Client;
  /** Multipart uploads still open in the bucket (under `prefix`, when given). */
  openUploads(prefix?: string): Promise<MultipartUpload[]>;
  /** Keys of the objects in the bucket (under `prefix`, when given). */
  keys(prefix?: string): Promise<string[]>;
  remove(): Promise<void>;
}

/** A fresh bucket for one test file; `remove()` empties and deletes it. */
export async function createBucket(label: string): Promise<TestBucket> {
  await requireMinio();
  const client = sdkClient();
  const name = `fx-${label}-${randomUUID().slice(0, 8)}`;
  await client.send(new CreateBucketCommand({ Bucket: name }));
  // MinIO's ListMultipartUploads matches a Prefix only when it is a whole key
  // ('multi/' lists nothing even with 'multi/a' open), so list them all and
  // filter here; otherwise a check for "nothing left open" could never fail.
  const openUploads = async (prefix = '') => {
    const all = (await client.send(new ListMultipartUploadsCommand({ Bucket: name }))).Uploads ?? [];
    return all.filter((u) => u.Key?.startsWith(prefix));
  };
  const keys = async (prefix?: string) => {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: name, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) out.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  };
  return {
    name,
    client,
    openUploads,
    keys,
    remove: async () => {
      for (const u of await openUploads()) await client.send(new AbortMultipartUploadCommand({ Bucket: name, Key: u.Key, UploadId: u.UploadId }));
      const all = await keys();
      for (let i = 0; i < all.length; i += 1000) {
        await client.send(new DeleteObjectsCommand({ Bucket: name, Delete: { Objects: all.slice(i, i + 1000).map((Key) => ({ Key })) } }));
      }
      await client.send(new DeleteBucketCommand({ Bucket: name }));
      client.destroy();
    },
  };
}

export function adapterFor(bucket: string, options: Partial<S3AdapterOptions> = {}): S3Adapter {
  return new S3Adapter({ bucket, endpoint: ENDPOINT, credentials: CREDENTIALS, ...options });
}

/** Core's recording transport, plus the filter this store's tests read. */
export class RecordingTransport extends CoreRecordingTransport {
  /** UploadPart requests, in the order they were sent. */
  partPuts(): Recorded[] {
    return this.requests.filter((r) => r.method === 'PUT' && r.url.searchParams.has('partNumber'));
  }
}

export { cutAfter, type Recorded };

/** Sends one signed request with a body over fetch and returns status, headers and body text. */
export async function send(req: { method: string; url: string; headers?: Record<string, string> }, body?: Uint8Array) {
  const res = await fetch(req.url, { method: req.method, headers: req.headers, body });
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => (headers[k] = v));
  return { status: res.status, headers, bodyText: await res.text() };
}

export interface SpyEvent {
  type: 'create' | 'sign' | 'read' | 'complete' | 'abort' | 'listParts';
  part?: number;
}

export interface SpyHooks {
  /** Replaces the single PUT signature; `real` signs it as the adapter would. */
  sign?: (checksums: Checksums, real: () => Promise<SignedRequest>) => Promise<SignedRequest>;
  /** Replaces a part signature; `real` signs it as the adapter would. */
  signPart?: (part: PartSpec, checksums: Checksums, real: () => Promise<SignedRequest>) => Promise<SignedRequest>;
}

/**
 * The real adapter with a log of what the engine asked of it, in order, and
 * optional hooks around signing. Everything else is the adapter itself.
 */
export function spyAdapter(adapter: S3Adapter, hooks: SpyHooks = {}): { adapter: StorageAdapter; events: SpyEvent[] } {
  const events: SpyEvent[] = [];
  const wrap = (plan: UploadPlan): UploadPlan => {
    if (plan.kind === 'single') {
      return { ...plan, sign: (c) => (events.push({ type: 'sign' }), hooks.sign ? hooks.sign(c, () => plan.sign(c)) : plan.sign(c)) };
    }
    const parts: PartsUpload = {
      ...plan,
      signPart: (part, c) => {
        events.push({ type: 'sign', part: part.partNumber });
        return hooks.signPart ? hooks.signPart(part, c, () => plan.signPart(part, c)) : plan.signPart(part, c);
      },
      readPart: (part, c, response) => {
        events.push({ type: 'read', part: part.partNumber });
        return plan.readPart(part, c, response);
      },
      complete: (p, summary) => (events.push({ type: 'complete' }), plan.complete(p, summary)),
      abort: () => (events.push({ type: 'abort' }), plan.abort()),
      listParts: () => (events.push({ type: 'listParts' }), plan.listParts()),
    };
    return parts;
  };
  const spy = Object.create(adapter) as StorageAdapter;
  spy.createUpload = async (input) => {
    events.push({ type: 'create' });
    return wrap(await adapter.createUpload(input));
  };
  spy.resumeUpload = async (state) => wrap(await adapter.resumeUpload(state)) as PartsUpload;
  return { adapter: spy, events };
}

/**
 * A request signed as the adapter signs it, but two hours ago with a one
 * minute lifetime: a genuine SigV4 signature that has expired.
 */
export async function expiredRequest(command: PutObjectCommand | UploadPartCommand | GetObjectCommand, signedHeaders: Record<string, string> = {}): Promise<SignedRequest> {
  const client = new S3Client({
    region: REGION,
    endpoint: ENDPOINT,
    forcePathStyle: true,
    credentials: CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  try {
    const url = await getSignedUrl(client, command as Parameters<typeof getSignedUrl>[1], {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 2 * 3600 * 1000),
      unhoistableHeaders: new Set(Object.keys(signedHeaders)),
    });
    return { method: command instanceof GetObjectCommand ? 'GET' : 'PUT', url, headers: signedHeaders };
  } finally {
    client.destroy();
  }
}
