/**
 * The engine's one way onto the network: send one request, report bytes as
 * they are handed to the socket, hand back status, headers and the body stream.
 * A browser build plugs in an XHR/fetch transport behind the same interface.
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import type { SignedRequest } from '../adapter.js';
import { abortedError, displayUrl, FileXferError } from '../errors.js';

export interface TransportRequest extends SignedRequest {
  body?: Uint8Array;
  signal?: AbortSignal;
  /** Called with each count of body bytes the socket accepted. */
  onBytesWritten?: (bytes: number) => void;
}

export interface TransportResponse {
  status: number;
  headers: Record<string, string>;
  body: Readable;
}

export interface Transport {
  send(request: TransportRequest): Promise<TransportResponse>;
  close?(): void;
}

export interface NodeTransportOptions {
  /** Milliseconds a socket may stay silent before the request fails as a network error. */
  idleTimeoutMs?: number;
  /** Sockets kept per host; the engine's own limits keep the real number lower. */
  maxSockets?: number;
}

// Writes go out in slices this size so progress moves smoothly and `drain` keeps memory flat.
const WRITE_SLICE = 64 * 1024;

export class NodeHttpTransport implements Transport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly idleTimeoutMs: number;

  constructor(options: NodeTransportOptions = {}) {
    const maxSockets = options.maxSockets ?? 64;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets });
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  }

  send(request: TransportRequest): Promise<TransportResponse> {
    const { signal } = request;
    if (signal?.aborted) return Promise.reject(abortedError());
    const url = new URL(request.url);
    const isHttps = url.protocol === 'https:';
    const body = request.body;
    const headers: Record<string, string> = { ...request.headers };
    if (body !== undefined && !hasHeader(headers, 'content-length')) headers['content-length'] = String(body.byteLength);
    if (body === undefined && (request.method === 'PUT' || request.method === 'POST') && !hasHeader(headers, 'content-length')) {
      headers['content-length'] = '0';
    }

    return new Promise<TransportResponse>((resolve, reject) => {
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        reject(error);
      };
      const req = (isHttps ? https : http).request(url, {
        method: request.method,
        headers,
        agent: isHttps ? this.httpsAgent : this.httpAgent,
      });
      const onAbort = () => {
        req.destroy(abortedError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.setTimeout(this.idleTimeoutMs, () => {
        req.destroy(new FileXferError('Network', `No reply from ${displayUrl(request.url)} for ${this.idleTimeoutMs} ms.`));
      });
      req.on('error', (error) => {
        signal?.removeEventListener('abort', onAbort);
        fail(toNetworkError(error, request));
      });
      req.on('response', (res) => {
        // The abort listener stays until the body is consumed: stopping mid-download destroys the stream.
        const cleanup = () => signal?.removeEventListener('abort', onAbort);
        res.once('close', cleanup);
        if (signal) {
          const destroyBody = () => res.destroy(abortedError());
          signal.addEventListener('abort', destroyBody, { once: true });
          res.once('close', () => signal.removeEventListener('abort', destroyBody));
        }
        if (settled) return;
        settled = true;
        resolve({ status: res.statusCode ?? 0, headers: flattenHeaders(res.headers), body: res });
      });
      writeBody(req, body, request.onBytesWritten).catch((error) => req.destroy(error));
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

async function writeBody(req: http.ClientRequest, body: Uint8Array | undefined, onBytesWritten?: (n: number) => void) {
  if (body === undefined || body.byteLength === 0) {
    req.end();
    return;
  }
  for (let offset = 0; offset < body.byteLength; offset += WRITE_SLICE) {
    if (req.destroyed) return;
    const slice = body.subarray(offset, Math.min(offset + WRITE_SLICE, body.byteLength));
    const flushed = req.write(slice, (error) => {
      if (!error) onBytesWritten?.(slice.byteLength);
    });
    if (!flushed) await waitForDrain(req);
  }
  req.end();
}

function waitForDrain(req: http.ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('drain', done);
      req.off('close', done);
      resolve();
    };
    req.once('drain', done);
    req.once('close', done);
  });
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((h) => h.toLowerCase() === name);
}

export function flattenHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

function toNetworkError(error: unknown, request: SignedRequest): FileXferError {
  if (error instanceof FileXferError) return error;
  const code = (error as { code?: string }).code ?? 'unknown';
  return new FileXferError('Network', `${request.method} ${displayUrl(request.url)} failed: ${code}. Check that the store is reachable; the transfer retries on its own.`, {
    cause: error,
    retryable: true,
  });
}

/** Reads up to `limit` bytes of a body as text, discarding the rest. */
export async function readText(body: Readable, limit = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of body) {
      const buf = chunk as Buffer;
      if (length < limit) chunks.push(buf.subarray(0, limit - length));
      length += buf.length;
    }
  } catch {
    // A body cut short still tells what it told so far.
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Consumes and discards a body so the socket returns to the pool. */
export async function discard(body: Readable): Promise<void> {
  try {
    for await (const _chunk of body) {
      // discard
    }
  } catch {
    // ignore: the socket is destroyed and not reused
  }
}
