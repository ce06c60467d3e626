/**
 * Test tools for adapter suites: the engine's real node:http transport with a
 * recorder in front, and a way to cut a reply's body as a broken connection
 * would, so resume paths run against the real emulator.
 */
import { Readable } from 'node:stream';
import { NodeHttpTransport, type Transport, type TransportRequest, type TransportResponse } from '../engine/transport.js';

export interface Recorded {
  method: string;
  url: URL;
  headers: Record<string, string>;
  status?: number;
}

/**
 * Records every request (method, URL, headers, status) and how many were in
 * flight at once; `before` may delay or fail a request, `after` may replace
 * the reply (e.g. cut its body).
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

  close(): void {
    this.inner.close();
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
