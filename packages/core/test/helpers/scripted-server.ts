/**
 * A tiny HTTP server whose replies each test scripts, recording every request
 * and the most requests it ever had in flight at once. For unit tests of the
 * engine's own logic (retries, resume, limits); stores are proven by the
 * conformance suite against real emulators.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export type Route = (req: Recorded, res: http.ServerResponse, n: number) => void | Promise<void>;

export class ScriptedServer {
  readonly requests: Recorded[] = [];
  inFlight = 0;
  maxInFlight = 0;
  route: Route = (_req, res) => {
    res.writeHead(200).end();
  };
  private server!: http.Server;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer(async (req, res) => {
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      res.once('close', () => this.inFlight--);
      const chunks: Buffer[] = [];
      try {
        for await (const c of req) chunks.push(c as Buffer);
      } catch {
        return;
      }
      const recorded = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) };
      this.requests.push(recorded);
      await this.route(recorded, res, this.requests.length);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

export const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
