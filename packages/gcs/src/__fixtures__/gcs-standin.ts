/**
 * A small stand-in for the Cloud Storage XML API on 127.0.0.1, for the unit
 * tests of the paths fake-gcs-server gets wrong or does not check. It answers
 * as GCS documents it:
 * - V4 signatures verified with the key's public half (403 SignatureDoesNotMatch)
 *   and expiry (400 ExpiredToken "Request has expired");
 * - PUT with x-goog-hash checked (400 BadDigest);
 * - resumable sessions: POST `x-goog-resumable: start` -> 201 + Location; chunks
 *   of a multiple of 256 KiB (400 otherwise); 308 + `Range: bytes=0-N`; the
 *   status query `Content-Range: bytes * /SIZE`; bytes already persisted in a
 *   re-sent chunk are skipped; the last chunk's x-goog-hash checked against the
 *   whole object; DELETE -> 499; unknown sessions 404, expired ones 410.
 *   https://cloud.google.com/storage/docs/performing-resumable-uploads
 * - GET with Range / If-Match and the whole-object x-goog-hash.
 * Every exchange is recorded (signatures left out) so tests can assert the
 * protocol, not only the outcome. Hooks inject GCS's legitimate surprises:
 * a short 308, a reply lost after the bytes were persisted, a session gone.
 */
import { createHash, createVerify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checksumsOf } from '@filexfer/core';

export const CHUNK = 256 * 1024;

export interface Exchange {
  method: string;
  /** Path as sent (still percent-encoded). */
  path: string;
  /** Query parameters without X-Goog-Signature's value. */
  query: Record<string, string>;
  /** A few request headers the protocol is about. */
  headers: Record<string, string>;
  /** Body bytes received. */
  bodyLength: number;
  status: number;
  reply: Record<string, string>;
}

export interface StoredObject {
  data: Buffer;
  contentType?: string;
  metadata: Record<string, string>;
  generation: number;
}

export interface Session {
  id: string;
  bucket: string;
  key: string;
  contentType?: string;
  metadata: Record<string, string>;
  persisted: Buffer[];
  persistedLength: number;
  state: 'active' | 'done' | 'cancelled' | 'expired' | 'failed';
}

export interface ChunkInfo {
  session: Session;
  /** First file offset of the new bytes this request brings (after skipping what is already persisted). */
  offset: number;
  /** New bytes this request brings. */
  length: number;
}

export interface StandinHooks {
  /** How many of a chunk's new bytes to persist (default all): fewer gives a short 308. */
  persist?: (chunk: ChunkInfo) => number;
  /** After the bytes are persisted: 'cut' destroys the connection, so the reply is lost. */
  afterPersist?: (chunk: ChunkInfo) => 'cut' | undefined;
  /** Flip the first byte of what arrives (data damaged on the way). */
  damage?: (what: { kind: 'put' | 'chunk'; key: string; offset: number }) => boolean;
  /** Answer ExpiredToken to a signed request even when it is not. */
  expire?: (exchange: { method: string; key: string }) => boolean;
  /** Serve at most this many bytes of a GET body, then cut the connection (once per value). */
  cutDownloadAfter?: number;
  /** Serve GET bodies with one byte changed (the stored hash stays right). */
  damageDownload?: boolean;
}

export class GcsStandin {
  readonly objects = new Map<string, StoredObject>();
  readonly sessions = new Map<string, Session>();
  readonly exchanges: Exchange[] = [];
  hooks: StandinHooks = {};
  private server: Server | undefined;
  private nextId = 1;
  private generation = 1;
  origin = '';

  constructor(
    readonly buckets: string[],
    /** Verify V4 signatures with this public key; none checks nothing. */
    private readonly publicKey?: KeyObject,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.destroy(error as Error);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  object(bucket: string, key: string): StoredObject | undefined {
    return this.objects.get(`${bucket}/${key}`);
  }

  putObject(bucket: string, key: string, data: Buffer): void {
    this.objects.set(`${bucket}/${key}`, { data, metadata: {}, generation: this.generation++ });
  }

  /** The exchanges of one session or path, for asserting the protocol. */
  log(filter: (e: Exchange) => boolean = () => true): Exchange[] {
    return this.exchanges.filter(filter);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', this.origin);
    const segments = url.pathname.split('/').slice(1);
    const bucket = decodeURIComponent(segments[0] ?? '');
    const key = segments.slice(1).map(decodeURIComponent).join('/');
    const exchange: Exchange = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries([...url.searchParams].map(([k, v]) => [k, k === 'X-Goog-Signature' ? '<sig>' : v])),
      headers: pick(req.headers, ['content-range', 'x-goog-hash', 'x-goog-resumable', 'range', 'content-type', 'if-match']),
      bodyLength: body.length,
      status: 0,
      reply: {},
    };
    this.exchanges.push(exchange);
    const reply = (status: number, headers: Record<string, string> = {}, text = '') => {
      exchange.status = status;
      exchange.reply = pick(lower(headers), ['range', 'location', 'x-goog-hash', 'content-range']);
      res.writeHead(status, { 'content-length': String(Buffer.byteLength(text)), ...headers });
      res.end(text);
    };
    const xmlError = (status: number, code: string, message: string, extra = '') =>
      reply(status, { 'content-type': 'application/xml; charset=UTF-8' }, `<?xml version='1.0' encoding='UTF-8'?><Error><Code>${code}</Code><Message>${message}</Message>${extra}</Error>`);

    const uploadId = url.searchParams.get('upload_id');
    if (uploadId !== null) return this.sessionRequest(req, res, uploadId, body, exchange, reply, xmlError);

    // Signed requests.
    const verdict = this.checkSignature(req, url);
    if (verdict === 'missing') return xmlError(400, 'MissingSecurityHeader', 'Your request was missing a required header.');
    if (verdict === 'expired' || this.hooks.expire?.({ method: req.method ?? '', key })) {
      return xmlError(400, 'ExpiredToken', 'Invalid argument.', `<Details>Request has expired: ${url.searchParams.get('X-Goog-Date')}</Details>`);
    }
    if (verdict !== 'ok') {
      // GCS echoes the string it signed: it holds the credential scope, never the signature.
      return xmlError(403, 'SignatureDoesNotMatch', 'Access denied.', `<Details>The request signature we calculated does not match the signature you provided.</Details><StringToSign>${verdict}</StringToSign>`);
    }
    if (!this.buckets.includes(bucket)) return xmlError(404, 'NoSuchBucket', 'The specified bucket does not exist.');
    const id = `${bucket}/${key}`;

    if (req.method === 'POST') {
      if (req.headers['x-goog-resumable'] !== 'start') return xmlError(400, 'InvalidArgument', 'POST needs x-goog-resumable: start.');
      const session: Session = {
        id: String(this.nextId++),
        bucket,
        key,
        contentType: header(req, 'content-type'),
        metadata: metaOf(req),
        persisted: [],
        persistedLength: 0,
        state: 'active',
      };
      this.sessions.set(session.id, session);
      return reply(201, { location: `${this.origin}${url.pathname}?upload_id=${session.id}` });
    }
    if (req.method === 'PUT') {
      const data = Buffer.from(body);
      if (this.hooks.damage?.({ kind: 'put', key, offset: 0 }) && data.length > 0) data[0] ^= 0xff;
      const bad = hashMismatch(header(req, 'x-goog-hash'), data);
      if (bad) return xmlError(400, 'BadDigest', `The ${bad} you specified did not match what we computed.`);
      this.objects.set(id, { data, contentType: header(req, 'content-type'), metadata: metaOf(req), generation: this.generation++ });
      return reply(200, objectHeaders(this.objects.get(id)!));
    }
    if (req.method === 'DELETE') {
      if (!this.objects.delete(id)) return xmlError(404, 'NoSuchKey', 'The specified key does not exist.');
      return reply(204);
    }
    if (req.method === 'GET') {
      const object = this.objects.get(id);
      if (!object) return xmlError(404, 'NoSuchKey', 'The specified key does not exist.');
      return this.download(req, res, object, exchange);
    }
    return xmlError(405, 'MethodNotAllowed', 'Not here.');
  }

  private sessionRequest(
    req: IncomingMessage,
    res: ServerResponse,
    uploadId: string,
    body: Buffer,
    exchange: Exchange,
    reply: (status: number, headers?: Record<string, string>, text?: string) => void,
    xmlError: (status: number, code: string, message: string) => void,
  ): void {
    const session = this.sessions.get(uploadId);
    if (!session) return xmlError(404, 'NoSuchUpload', 'No such upload session.');
    if (session.state === 'expired' || session.state === 'failed') return xmlError(410, 'NoSuchUpload', 'The upload session is gone.');
    if (session.state === 'cancelled') return reply(499);
    if (req.method === 'DELETE') {
      session.state = 'cancelled';
      return reply(499);
    }
    if (req.method !== 'PUT') return xmlError(405, 'MethodNotAllowed', 'Sessions take PUT and DELETE.');
    const range = /^bytes (\*|(\d+)-(\d+))\/(\*|\d+)$/.exec(header(req, 'content-range') ?? '');
    if (!range) return xmlError(400, 'InvalidArgument', 'Content-Range is required.');
    const total = range[4] === '*' ? undefined : Number(range[4]);
    const rangeHeader = () => (session.persistedLength > 0 ? { range: `bytes=0-${session.persistedLength - 1}` } : {});
    if (session.state === 'done') return reply(200, objectHeaders(this.object(session.bucket, session.key)!));
    if (range[1] === '*') {
      // Status query: how much is persisted. https://cloud.google.com/storage/docs/performing-resumable-uploads#status-check
      if (body.length > 0) return xmlError(400, 'InvalidArgument', 'A status query has no body.');
      return reply(308, rangeHeader());
    }
    const start = Number(range[2]);
    const end = Number(range[3]);
    if (end - start + 1 !== body.length) return xmlError(400, 'InvalidArgument', 'Content-Range does not match the body length.');
    const isLast = total !== undefined && end + 1 === total;
    if (!isLast && body.length % CHUNK !== 0) return xmlError(400, 'InvalidArgument', 'Chunks other than the last must be a multiple of 256 KiB.');
    if (start > session.persistedLength) return reply(308, rangeHeader()); // a gap: GCS keeps nothing of it
    // Bytes GCS already holds (a chunk sent again after a lost reply) are skipped.
    const fresh = Buffer.from(body.subarray(session.persistedLength - start));
    const chunk: ChunkInfo = { session, offset: session.persistedLength, length: fresh.length };
    if (this.hooks.damage?.({ kind: 'chunk', key: session.key, offset: chunk.offset }) && fresh.length > 0) fresh[0] ^= 0xff;
    const keep = Math.max(0, Math.min(fresh.length, this.hooks.persist?.(chunk) ?? fresh.length));
    session.persisted.push(fresh.subarray(0, keep));
    session.persistedLength += keep;
    if (this.hooks.afterPersist?.(chunk) === 'cut') {
      exchange.status = -1; // the reply never left
      res.destroy();
      return;
    }
    if (total !== undefined && session.persistedLength === total) {
      const data = Buffer.concat(session.persisted);
      const bad = hashMismatch(header(req, 'x-goog-hash'), data);
      if (bad) {
        session.state = 'failed';
        return xmlError(400, 'BadDigest', `The ${bad} you specified did not match what we computed.`);
      }
      this.objects.set(`${session.bucket}/${session.key}`, { data, contentType: session.contentType, metadata: session.metadata, generation: this.generation++ });
      session.state = 'done';
      return reply(200, objectHeaders(this.object(session.bucket, session.key)!));
    }
    return reply(308, rangeHeader());
  }

  private download(req: IncomingMessage, res: ServerResponse, object: StoredObject, exchange: Exchange): void {
    const size = object.data.length;
    const headers = objectHeaders(object);
    const ifMatch = header(req, 'if-match');
    if (ifMatch && ifMatch.replace(/"/g, '') !== headers.etag!.replace(/"/g, '')) {
      exchange.status = 412;
      res.writeHead(412, { 'content-length': '0' }).end();
      return;
    }
    let start = 0;
    let end = size - 1;
    let status = 200;
    const range = /^bytes=(\d+)-(\d*)$/.exec(header(req, 'range') ?? '');
    if (range) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start >= size) {
        exchange.status = 416;
        const text = `<?xml version='1.0' encoding='UTF-8'?><Error><Code>InvalidRange</Code><Message>The requested range cannot be satisfied.</Message></Error>`;
        res.writeHead(416, { 'content-range': `bytes */${size}`, 'content-length': String(text.length), ...headers }).end(text);
        return;
      }
      status = 206;
      headers['content-range'] = `bytes ${start}-${end}/${size}`;
    }
    let bytes = Buffer.from(object.data.subarray(start, end + 1));
    if (this.hooks.damageDownload && bytes.length > 0) bytes[0] ^= 0xff;
    exchange.status = status;
    exchange.reply = pick(headers, ['content-range', 'x-goog-hash']);
    res.writeHead(status, { ...headers, 'content-length': String(bytes.length) });
    const cut = this.hooks.cutDownloadAfter;
    if (cut !== undefined && cut < bytes.length) {
      this.hooks.cutDownloadAfter = undefined;
      bytes = bytes.subarray(0, cut);
      res.write(bytes, () => setTimeout(() => res.destroy(), 20));
      return;
    }
    res.end(req.method === 'HEAD' ? undefined : bytes);
  }

  /** 'ok', 'missing', 'expired', or the string-to-sign when the signature does not match. */
  private checkSignature(req: IncomingMessage, url: URL): string {
    const q = url.searchParams;
    const signature = q.get('X-Goog-Signature');
    const date = q.get('X-Goog-Date');
    const expires = q.get('X-Goog-Expires');
    const signed = q.get('X-Goog-SignedHeaders');
    if (!signature || !date || !expires || !signed || q.get('X-Goog-Algorithm') !== 'GOOG4-RSA-SHA256') return 'missing';
    const at = Date.UTC(+date.slice(0, 4), +date.slice(4, 6) - 1, +date.slice(6, 8), +date.slice(9, 11), +date.slice(11, 13), +date.slice(13, 15));
    if (Date.now() > at + Number(expires) * 1000) return 'expired';
    if (!this.publicKey) return 'ok';
    const names = signed.split(';');
    const canonicalHeaders = names.map((n) => `${n}:${(header(req, n) ?? '').trim().replace(/\s{2,}/g, ' ')}\n`).join('');
    const canonicalQuery = [...q]
      .filter(([k]) => k !== 'X-Goog-Signature')
      .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const canonicalRequest = [req.method, url.pathname, canonicalQuery, canonicalHeaders, signed, 'UNSIGNED-PAYLOAD'].join('\n');
    const scope = (q.get('X-Goog-Credential') ?? '').split('/').slice(1).join('/');
    const stringToSign = ['GOOG4-RSA-SHA256', date, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
    const ok = /^[0-9a-f]+$/.test(signature) && createVerify('RSA-SHA256').update(stringToSign).verify(this.publicKey, Buffer.from(signature, 'hex'));
    return ok ? 'ok' : stringToSign;
  }
}

function objectHeaders(object: StoredObject): Record<string, string> {
  const sums = checksumsOf(object.data, true);
  const headers: Record<string, string> = {
    'x-goog-hash': `crc32c=${sums.crc32c},md5=${sums.md5}`,
    etag: `"${createHash('md5').update(object.data).digest('hex')}"`,
    'x-goog-generation': String(object.generation),
    'x-goog-stored-content-length': String(object.data.length),
    'x-goog-stored-content-encoding': 'identity',
    'content-type': object.contentType ?? 'application/octet-stream',
    'last-modified': new Date().toUTCString(),
  };
  for (const [k, v] of Object.entries(object.metadata)) headers[`x-goog-meta-${k}`] = v;
  return headers;
}

/** Which declared hash (of `crc32c=..,md5=..`) differs from the data's, if any. */
function hashMismatch(declared: string | undefined, data: Buffer): string | undefined {
  if (!declared) return undefined;
  const sums = checksumsOf(data, true);
  for (const item of declared.split(',')) {
    const [name, value] = item.trim().split(/=(.*)/s) as [string, string];
    if (name === 'crc32c' && value !== sums.crc32c) return 'CRC32C';
    if (name === 'md5' && value !== sums.md5) return 'MD5';
  }
  return undefined;
}

function metaOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (k.startsWith('x-goog-meta-') && typeof v === 'string') out[k.slice(12)] = v;
  return out;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function pick(headers: Record<string, unknown>, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) if (typeof headers[n] === 'string') out[n] = headers[n] as string;
  return out;
}

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
