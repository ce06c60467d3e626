/**
 * Shared set-up of the integration tests against fake-gcs-server
 * (`pnpm emulators:start` starts it on 127.0.0.1:4443).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { NodeHttpTransport, type Transport, type TransportRequest, type TransportResponse } from '@filexfer/core';
import { GcsAdapter, type GcsAdapterOptions, type GcsServiceAccountKey } from '../src/index.js';

export const GCS_ENDPOINT = process.env.FILEXFER_GCS_ENDPOINT ?? 'http://127.0.0.1:4443';

/** A throwaway service-account key: fake-gcs-server checks no signature, but the SDK needs a private key to sign. */
export function throwawayKey(): GcsServiceAccountKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    type: 'service_account',
    project_id: 'filexfer-test',
    client_email: 'filexfer-test@filexfer-test.iam.gserviceaccount.com',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

let sharedKey: GcsServiceAccountKey | undefined;
export function testKey(): GcsServiceAccountKey {
  sharedKey ??= throwawayKey();
  return sharedKey;
}

/** Fails (never skips) with the command to run when the emulator does not answer. */
export async function requireEmulator(): Promise<void> {
  try {
    const response = await fetch(`${GCS_ENDPOINT}/storage/v1/b`, { signal: AbortSignal.timeout(5000) });
    if (response.ok) return;
    throw new Error(`answered ${response.status}`);
  } catch (error) {
    throw new Error(`fake-gcs-server is not reachable at ${GCS_ENDPOINT} (${(error as Error).message}). Start it with \`pnpm emulators:start gcs\` (or set FILEXFER_GCS_ENDPOINT).`);
  }
}

/**
 * Creates a bucket with a unique name through the emulator's JSON API (it
 * needs no credentials). The SDK is not used for it: its HTTP client loads
 * node-fetch with a dynamic import, which jest's CommonJS runtime refuses.
 */
export async function createBucket(prefix = 'filexfer'): Promise<string> {
  await requireEmulator();
  const name = `${prefix}-${randomBytes(6).toString('hex')}`;
  const response = await fetch(`${GCS_ENDPOINT}/storage/v1/b?project=filexfer-test`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (!response.ok) throw new Error(`creating bucket ${name} on the emulator: ${response.status} ${await response.text()}`);
  return name;
}

/** Puts an object through the emulator's JSON API, bypassing the adapter. */
export async function putRaw(bucket: string, key: string, data: Buffer): Promise<void> {
  const url = `${GCS_ENDPOINT}/upload/storage/v1/b/${bucket}/o?uploadType=media&name=${encodeURIComponent(key)}`;
  const response = await fetch(url, { method: 'POST', body: data });
  if (!response.ok) throw new Error(`putRaw ${key}: ${response.status}`);
}

export function emulatorAdapter(bucket: string, extra: Partial<GcsAdapterOptions> = {}): GcsAdapter {
  return new GcsAdapter({ bucket, apiEndpoint: GCS_ENDPOINT, projectId: 'filexfer-test', credentials: testKey(), ...extra });
}

/** Bytes that differ everywhere, so a shifted or repeated chunk shows. */
export function patterned(size: number, seed = 1): Buffer {
  const buf = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    if (i + 4 <= size) buf.writeUInt32LE(x, i);
    else for (let j = i; j < size; j++) buf[j] = (x >>> ((j - i) * 8)) & 0xff;
  }
  return buf;
}

export async function tempDir(): Promise<{ dir: string; file: (name: string, data: Buffer) => Promise<string>; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'filexfer-gcs-'));
  return {
    dir,
    file: async (name, data) => {
      const path = join(dir, name);
      await writeFile(path, data);
      return path;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** One request the engine sent, as the recording transport saw it. */
export interface Sent {
  method: string;
  /** origin + path, no query (no signature). */
  url: string;
  query: string[];
  headers: Record<string, string>;
  bodyLength: number;
  status: number;
  reply: Record<string, string>;
}

/**
 * The engine's node:http transport with a recorder in front, and switches to
 * damage or cut what passes, to show what the adapter does about it against
 * the real emulator.
 */
export class RecordingTransport implements Transport {
  private readonly inner = new NodeHttpTransport();
  readonly sent: Sent[] = [];
  /** Return a changed body to send instead (bytes damaged on the way up). */
  alterBody?: (request: TransportRequest) => Uint8Array | undefined;
  /** Cut the next GET reply body after this many bytes. */
  cutNextDownloadAfter?: number;
  /** Flip the first byte of every GET reply body. */
  damageDownloads = false;

  async send(request: TransportRequest): Promise<TransportResponse> {
    const altered = this.alterBody?.(request);
    const body = altered ?? request.body;
    const u = new URL(request.url);
    const record: Sent = {
      method: request.method,
      url: `${u.origin}${u.pathname}`,
      query: [...u.searchParams.keys()],
      headers: Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
      bodyLength: body?.byteLength ?? 0,
      status: 0,
      reply: {},
    };
    this.sent.push(record);
    const response = await this.inner.send({ ...request, body });
    record.status = response.status;
    for (const name of ['range', 'content-range', 'x-goog-hash', 'location']) if (response.headers[name]) record.reply[name] = response.headers[name]!;
    if (request.method !== 'GET' || response.status >= 300) return response;
    const cut = this.cutNextDownloadAfter;
    if (cut !== undefined) this.cutNextDownloadAfter = undefined;
    if (cut === undefined && !this.damageDownloads) return response;
    return { ...response, body: this.tamper(response.body, cut) };
  }

  close(): void {
    this.inner.close?.();
  }

  /** A lazy copy of `source` (an error surfaces only when read, like a real socket's). */
  private tamper(source: Readable, cutAfter: number | undefined): Readable {
    const damage = this.damageDownloads;
    async function* pass(): AsyncGenerator<Buffer> {
      let seen = 0;
      let first = true;
      for await (const chunk of source) {
        let piece = chunk as Buffer;
        if (damage && first && piece.length > 0) {
          piece = Buffer.from(piece);
          piece[0] ^= 0xff;
        }
        first = false;
        if (cutAfter !== undefined && seen + piece.length >= cutAfter) {
          yield piece.subarray(0, cutAfter - seen);
          source.destroy();
          throw Object.assign(new Error('socket hang up (cut by the test)'), { code: 'ECONNRESET' });
        }
        seen += piece.length;
        yield piece;
      }
    }
    return Readable.from(pass(), { objectMode: false });
  }
}

/** The emulator's own record of an object (JSON API), to compare with what the adapter reports. */
export async function emulatorObject(bucket: string, key: string): Promise<{ size: string; crc32c: string; md5Hash: string; contentType?: string; metadata?: Record<string, string> } | null> {
  const response = await fetch(`${GCS_ENDPOINT}/storage/v1/b/${bucket}/o/${encodeURIComponent(key)}`);
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`emulatorObject ${key}: ${response.status}`);
  return (await response.json()) as { size: string; crc32c: string; md5Hash: string; contentType?: string; metadata?: Record<string, string> };
}
