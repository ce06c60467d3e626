/**
 * The local store's HTTP server (node:http). Every route but /health needs a
 * URL signed with the shared secret and not yet expired:
 *   GET|HEAD|PUT|DELETE /o/<key>      an object (GET honours Range and If-Match)
 *   POST   /u?key=<key>&size=&partSize= start a parts upload -> { uploadId }
 *   PUT    /u/<id>/<partNumber>       one part
 *   GET    /u/<id>                    the parts held (resume)
 *   POST   /u/<id>                    complete: { parts, crc32c } -> object info
 *   DELETE /u/<id>                    abort
 * Errors are JSON { code, message } with a FileXferError code.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { FileXferError, type FileXferErrorCode } from '@filexfer/core';
import { DiskStore, type ObjectMeta } from './disk-store.js';
import { verifyUrl } from './signing.js';

export interface LocalServerOptions {
  /** Folder that holds the objects; created if missing. */
  root: string;
  /** Default 127.0.0.1: the store is private unless you put it behind a proxy. */
  host?: string;
  /** Default 0: any free port (read it from `server.url`). */
  port?: number;
  /** HMAC secret shared with the adapters that sign for this server; default a random one (embedded use). */
  secret?: string;
}

export interface LocalServer {
  /** Base URL, e.g. http://127.0.0.1:7373 */
  readonly url: string;
  readonly secret: string;
  readonly root: string;
  close(): Promise<void>;
}

const STATUS: Partial<Record<FileXferErrorCode, number>> = {
  NotFound: 404,
  PermissionDenied: 403,
  Expired: 403,
  Unauthenticated: 403,
  InvalidInput: 400,
  ChecksumMismatch: 400,
  Network: 400,
  Conflict: 409,
  Precondition: 412,
  TooLarge: 413,
};

export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  if (!options.root) throw new FileXferError('InvalidInput', 'startLocalServer needs `root`, the folder that holds the objects.');
  if (options.secret !== undefined && options.secret.length < 16) {
    throw new FileXferError('InvalidInput', 'The local store secret must be at least 16 characters; generate one with `openssl rand -hex 32`.');
  }
  const root = resolve(options.root);
  const secret = options.secret ?? randomBytes(32).toString('hex');
  const store = new DiskStore(root);
  await store.init();
  const server = http.createServer((req, res) => {
    handle(store, secret, req, res).catch((error) => sendError(res, error));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolveListen());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    secret,
    root,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}

async function handle(store: DiskStore, secret: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  const method = req.method ?? 'GET';
  if (url.pathname === '/health') return sendJson(res, 200, { ok: true });
  const verdict = verifyUrl(secret, method, url);
  if (verdict === 'expired') throw new FileXferError('Expired', 'Request has expired: ask for a freshly signed URL.');
  if (verdict !== 'ok') throw new FileXferError('PermissionDenied', 'Signature does not match: the URL was changed, or signed for another method or server.');

  const segments = url.pathname.split('/').slice(1);
  if (segments[0] === 'o' && segments.length > 1) {
    const key = segments.slice(1).map(decodeURIComponent).join('/');
    if (method === 'GET' || method === 'HEAD') return getObject(store, key, req, res, method === 'HEAD');
    if (method === 'PUT') {
      const meta = await store.putObject(key, req, expectations(req), { contentType: req.headers['content-type'], metadata: metaHeaders(req) });
      return sendJson(res, 200, meta, { etag: `"${meta.etag}"` });
    }
    if (method === 'DELETE') {
      await store.deleteObject(key);
      return sendJson(res, 204);
    }
  }
  if (segments[0] === 'u') {
    const [, id, part] = segments;
    if (!id && method === 'POST') {
      const key = url.searchParams.get('key') ?? '';
      const metadata = Object.fromEntries([...url.searchParams].filter(([n]) => n.startsWith('meta-')).map(([n, v]) => [n.slice(5), v]));
      const uploadId = await store.createUpload(key, { contentType: url.searchParams.get('contentType') ?? undefined, metadata }, Number(url.searchParams.get('size')), Number(url.searchParams.get('partSize')));
      return sendJson(res, 200, { uploadId });
    }
    if (id && part && method === 'PUT') {
      const partNumber = Number(part);
      if (!Number.isInteger(partNumber) || partNumber < 1) throw new FileXferError('InvalidInput', 'Part numbers start at 1.');
      const meta = await store.putPart(id, partNumber, req, expectations(req));
      return sendJson(res, 200, meta, { etag: `"${meta.etag}"` });
    }
    if (id && !part && method === 'GET') return sendJson(res, 200, { parts: await store.listParts(id) });
    if (id && !part && method === 'POST') {
      const body = JSON.parse((await readBody(req)) || '{}') as { parts?: Array<{ partNumber: number; etag?: string }>; crc32c?: string };
      if (!Array.isArray(body.parts)) throw new FileXferError('InvalidInput', 'Complete needs { parts: [{ partNumber, etag }] }.');
      return sendJson(res, 200, await store.completeUpload(id, body.parts, body.crc32c));
    }
    if (id && !part && method === 'DELETE') {
      await store.abortUpload(id);
      return sendJson(res, 204);
    }
  }
  throw new FileXferError('NotFound', `No route for ${method} ${url.pathname}.`);
}

async function getObject(store: DiskStore, key: string, req: http.IncomingMessage, res: http.ServerResponse, headOnly: boolean) {
  const meta = await store.head(key);
  if (!meta) throw new FileXferError('NotFound', `No object "${key}".`);
  const ifMatch = req.headers['if-match'];
  if (ifMatch && ifMatch !== '*' && !ifMatch.split(',').some((t) => t.trim().replace(/^"|"$/g, '') === meta.etag)) {
    throw new FileXferError('Precondition', 'The object changed (If-Match failed).');
  }
  const headers = objectHeaders(meta);
  const range = parseRange(req.headers.range, meta.size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'content-range': `bytes */${meta.size}`, 'content-length': '0' });
    return void res.end();
  }
  const [start, end] = range ?? [0, meta.size - 1];
  headers['content-length'] = String(Math.max(0, end - start + 1));
  if (range) headers['content-range'] = `bytes ${start}-${end}/${meta.size}`;
  res.writeHead(range ? 206 : 200, headers);
  if (headOnly || meta.size === 0) return void res.end();
  const stream = store.openRead(key, start, end);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

function objectHeaders(meta: ObjectMeta): Record<string, string> {
  const headers: Record<string, string> = {
    etag: `"${meta.etag}"`,
    'accept-ranges': 'bytes',
    'last-modified': new Date(meta.lastModified).toUTCString(),
    'x-filexfer-crc32c': meta.crc32c,
    'content-type': meta.contentType || 'application/octet-stream',
  };
  for (const [name, value] of Object.entries(meta.metadata ?? {})) headers[`x-filexfer-meta-${name}`] = value;
  return headers;
}

function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header ?? '');
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return [start, end];
}

function expectations(req: http.IncomingMessage) {
  const length = req.headers['content-length'];
  return {
    size: length === undefined ? undefined : Number(length),
    crc32c: header(req, 'x-filexfer-crc32c'),
  };
}

function metaHeaders(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('x-filexfer-meta-') && typeof value === 'string') out[name.slice(16)] = value;
  }
  return out;
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024 * 1024) throw new FileXferError('TooLarge', 'Request body too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function sendError(res: http.ServerResponse, error: unknown): void {
  const err = error instanceof FileXferError ? error : new FileXferError('Unknown', 'Internal error in the local store.', { cause: error });
  if (res.headersSent) return void res.destroy();
  // The request body may be unread (refused before reading): close rather than reuse the socket.
  res.setHeader('connection', 'close');
  sendJson(res, STATUS[err.code] ?? 500, { code: err.code, message: err.message });
}
