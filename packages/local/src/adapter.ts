/**
 * LocalAdapter signs requests for a local store server, embedded
 * (`LocalAdapter.start({ root })`) or running on its own (`filexfer serve`).
 */
import {
  FileXferError,
  type AdapterCapabilities,
  type Checksums,
  type CompletedPart,
  type CreateUploadInput,
  type ObjectInfo,
  type PartsUpload,
  type PresignOptions,
  type SignedRequest,
  type StorageAdapter,
  type StoreResponse,
  type UploadPlan,
  type UploadState,
} from '@filexfer/core';
import type { ObjectMeta, PartMeta } from './disk-store.js';
import { classifyLocalError } from './errors.js';
import { checkKey, encodeKey } from './keys.js';
import { checkOptions, type LocalAdapterOptions } from './options.js';
import { startLocalServer, type LocalServer, type LocalServerOptions } from './server.js';
import { signUrl } from './signing.js';

interface LocalUploadState extends UploadState {
  adapter: 'local';
  uploadId: string;
}

export class LocalAdapter implements StorageAdapter {
  readonly name = 'local';
  readonly capabilities: AdapterCapabilities = {
    checksSignatures: true,
    parallelParts: true,
    minPartSize: 1,
    partSizeMultiple: 1,
    maxParts: 10_000,
    resumableUploads: true,
  };
  private readonly options: Required<LocalAdapterOptions>;
  private server?: LocalServer;

  constructor(options: LocalAdapterOptions) {
    this.options = checkOptions(options);
  }

  /** Starts an embedded server on `root` and returns an adapter for it; `close()` stops the server. */
  static async start(options: LocalServerOptions): Promise<LocalAdapter> {
    const server = await startLocalServer(options);
    const adapter = new LocalAdapter({ endpoint: server.url, secret: server.secret });
    adapter.server = server;
    return adapter;
  }

  get endpoint(): string {
    return this.options.endpoint;
  }

  /** The folder objects live in, for an embedded server. */
  get root(): string | undefined {
    return this.server?.root;
  }

  async createUpload(input: CreateUploadInput): Promise<UploadPlan> {
    const key = checkKey(input.key);
    if (input.size <= input.partSize) {
      return {
        kind: 'single',
        sign: async (checksums: Checksums) => this.objectPut(key, input.expiresIn, input.contentType, input.metadata, checksums),
      };
    }
    const query: Record<string, string> = { key, size: String(input.size), partSize: String(input.partSize) };
    if (input.contentType) query.contentType = input.contentType;
    for (const [name, value] of Object.entries(input.metadata ?? {})) query[`meta-${name}`] = value;
    const { uploadId } = (await this.control('POST', '/u', query, undefined, key)) as { uploadId: string };
    return this.session({ adapter: 'local', key, size: input.size, partSize: input.partSize, uploadId }, input.expiresIn);
  }

  async resumeUpload(state: UploadState): Promise<PartsUpload> {
    if (state.adapter !== 'local' || typeof state.uploadId !== 'string') {
      throw new FileXferError('InvalidInput', 'This upload state was not made by the local adapter.', { adapter: 'local' });
    }
    return this.session(state as LocalUploadState, 3600);
  }

  async presignDownload(key: string, options: PresignOptions = {}): Promise<string> {
    return this.sign('GET', `/o/${encodeKey(checkKey(key))}`, options.expiresIn ?? 3600);
  }

  async presignUpload(key: string, options: PresignOptions & { contentType?: string } = {}): Promise<SignedRequest> {
    return this.objectPut(checkKey(key), options.expiresIn ?? 3600, options.contentType, undefined, undefined);
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    const url = this.sign('HEAD', `/o/${encodeKey(checkKey(key))}`, this.options.controlExpiresIn);
    const response = await this.fetch(url, { method: 'HEAD' }, 'stat', key);
    if (response.status === 404) return null;
    if (!response.ok) throw this.error(response.status, '', 'stat', key);
    const h = response.headers;
    return {
      key,
      size: Number(h.get('content-length') ?? 0),
      etag: h.get('etag')?.replace(/"/g, ''),
      contentType: h.get('content-type') ?? undefined,
      crc32c: h.get('x-filexfer-crc32c') ?? undefined,
      lastModified: h.get('last-modified') ? new Date(h.get('last-modified')!) : undefined,
    };
  }

  async delete(key: string): Promise<void> {
    await this.control('DELETE', `/o/${encodeKey(checkKey(key))}`, {}, undefined, key);
  }

  classifyError(response: StoreResponse) {
    return classifyLocalError(response);
  }

  checksumsFromResponse(response: StoreResponse): { crc32c?: string } {
    const crc32c = response.headers['x-filexfer-crc32c'];
    return crc32c ? { crc32c } : {};
  }

  async close(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }

  // ---- inside ----

  private session(state: LocalUploadState, expiresIn: number): PartsUpload {
    const base = `/u/${state.uploadId}`;
    return {
      kind: 'parts',
      partSize: state.partSize,
      parallel: true,
      state,
      signPart: async (part, checksums) => ({
        method: 'PUT',
        url: this.sign('PUT', `${base}/${part.partNumber}`, expiresIn),
        headers: { 'x-filexfer-crc32c': checksums.crc32c },
      }),
      readPart: (part, _checksums, response) => {
        const meta = JSON.parse(response.bodyText || '{}') as Partial<PartMeta>;
        return { part: { partNumber: part.partNumber, size: part.size, etag: meta.etag ?? response.headers.etag?.replace(/"/g, '') } };
      },
      complete: async (parts: CompletedPart[], summary) => {
        const meta = (await this.control('POST', base, {}, { parts: parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag })), crc32c: summary.crc32c }, state.key)) as ObjectMeta;
        return { key: meta.key, size: meta.size, etag: meta.etag, crc32c: meta.crc32c, contentType: meta.contentType };
      },
      abort: async () => {
        await this.control('DELETE', base, {}, undefined, state.key);
      },
      listParts: async () => {
        const { parts } = (await this.control('GET', base, {}, undefined, state.key)) as { parts: PartMeta[] };
        return parts.map((p) => ({ partNumber: p.partNumber, size: p.size, etag: p.etag, crc32c: p.crc32c }));
      },
    };
  }

  private objectPut(key: string, expiresIn: number, contentType: string | undefined, metadata: Record<string, string> | undefined, checksums: Checksums | undefined): SignedRequest {
    const headers: Record<string, string> = { 'content-type': contentType || 'application/octet-stream' };
    if (checksums) headers['x-filexfer-crc32c'] = checksums.crc32c;
    for (const [name, value] of Object.entries(metadata ?? {})) headers[`x-filexfer-meta-${name.toLowerCase()}`] = value;
    return { method: 'PUT', url: this.sign('PUT', `/o/${encodeKey(key)}`, expiresIn), headers };
  }

  private sign(method: string, path: string, expiresIn: number, query: Record<string, string> = {}): string {
    const url = new URL(path, this.options.endpoint);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return signUrl(this.options.secret, method, url, expiresIn);
  }

  private async control(method: SignedRequest['method'], path: string, query: Record<string, string>, body: unknown, key: string): Promise<unknown> {
    const url = this.sign(method, path, this.options.controlExpiresIn, query);
    const response = await this.fetch(url, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: body === undefined ? {} : { 'content-type': 'application/json' } }, method.toLowerCase(), key);
    const text = await response.text();
    if (!response.ok) throw this.error(response.status, text, describe(method, path), key);
    return text ? JSON.parse(text) : undefined;
  }

  private async fetch(url: string, init: RequestInit, operation: string, key: string): Promise<Response> {
    try {
      return await fetch(url, init);
    } catch (error) {
      throw new FileXferError('Network', `Cannot reach the local store at ${this.options.endpoint}: is it running? (\`filexfer serve --root <dir>\`)`, { adapter: 'local', operation, key, cause: error });
    }
  }

  private error(status: number, bodyText: string, operation: string, key: string): FileXferError {
    const classified = classifyLocalError({ status, headers: {}, bodyText });
    return new FileXferError(classified?.code ?? 'Unknown', `${operation} of "${key}" failed: ${classified?.message ?? `status ${status}`}`, {
      adapter: 'local',
      operation,
      key,
      status,
    });
  }
}

function describe(method: string, path: string): string {
  if (path.startsWith('/o/')) return method === 'DELETE' ? 'delete' : 'object request';
  if (path === '/u') return 'create upload';
  return { POST: 'complete upload', DELETE: 'abort upload', GET: 'list parts' }[method] ?? 'upload request';
}
