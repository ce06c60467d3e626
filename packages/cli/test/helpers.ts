/**
 * Test helpers: run the BUILT bin (dist/bin.js, built by `pnpm test` before
 * jest) as a subprocess with this Node, start `filexfer serve` on a fresh
 * folder, and a throttling TCP proxy that makes transfers slow enough to be
 * interrupted and counts the bytes it forwards.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BIN = join(__dirname, '..', 'dist', 'bin.js');
export const NODE = process.execPath;

if (!existsSync(BIN)) {
  throw new Error(`${BIN} is missing: build the CLI first (\`pnpm test\` runs tsc before jest).`);
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A clean environment: no cloud credentials or endpoints from the machine running the tests. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(AWS_|AZURE_|GOOGLE_|GCLOUD_|STORAGE_EMULATOR_HOST|FILEXFER_)/.test(name)) continue;
    env[name] = value;
  }
  env.NO_COLOR = '1';
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export class Cli {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<RunResult>;
  private waiters: Array<() => void> = [];

  constructor(args: string[], options: SpawnOptions = {}) {
    this.child = spawn(NODE, [BIN, ...args], { env: cleanEnv(), ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      this.stdout += s;
      this.poke();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      this.stderr += s;
      this.poke();
    });
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code, signal) => {
        this.poke();
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  /** Resolves with the first match of `pattern` in stdout+stderr; rejects if the process ends first. */
  async waitFor(pattern: RegExp, where: 'stdout' | 'stderr' | 'both' = 'both'): Promise<RegExpMatchArray> {
    let ended = false;
    void this.exited.then(() => (ended = true));
    for (;;) {
      const text = where === 'stdout' ? this.stdout : where === 'stderr' ? this.stderr : this.stdout + '\n' + this.stderr;
      const match = text.match(pattern);
      if (match) return match;
      if (ended || this.child.exitCode !== null) {
        throw new Error(`the CLI exited before printing ${pattern}:\nstdout: ${this.stdout}\nstderr: ${this.stderr}`);
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private poke(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

export function run(args: string[], options: SpawnOptions = {}): Promise<RunResult> {
  return new Cli(args, options).exited;
}

/** `filexfer serve` on a fresh folder, on a free port; `stop()` sends SIGINT and waits. */
export class Served {
  private constructor(
    readonly root: string,
    readonly url: string,
    readonly cli: Cli,
  ) {}

  static async start(root: string, env: NodeJS.ProcessEnv = cleanEnv()): Promise<Served> {
    const cli = new Cli(['serve', '--root', root, '--port', '0'], { env });
    const match = await cli.waitFor(/^(http:\/\/\S+)\n/m, 'stdout');
    await cli.waitFor(/Stop with Ctrl-C/, 'stderr');
    return new Served(root, match[1]!, cli);
  }

  async stop(): Promise<RunResult> {
    if (this.cli.child.exitCode === null) this.cli.child.kill('SIGINT');
    return this.cli.exited;
  }
}

export async function tempDir(prefix = 'filexfer-cli-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function sha256File(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

/**
 * A TCP proxy to `target` that forwards at most `bytesPerSecond` (shared by all
 * connections and both directions), and counts the bytes it sends back to
 * clients. Closing either side of a connection closes the other, so an aborted
 * client request reaches the server as an aborted request.
 */
export class ThrottleProxy {
  bytesToClient = 0;
  private nextFree = 0;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly url: string,
    public bytesPerSecond: number,
  ) {}

  static async start(target: string, bytesPerSecond: number): Promise<ThrottleProxy> {
    const { hostname, port } = new URL(target);
    const holder: { proxy?: ThrottleProxy } = {};
    const server = net.createServer((client) => holder.proxy!.connect(client, hostname, Number(port)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as net.AddressInfo;
    holder.proxy = new ThrottleProxy(server, `http://127.0.0.1:${address.port}`, bytesPerSecond);
    return holder.proxy;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private connect(client: net.Socket, host: string, port: number): void {
    const upstream = net.connect(port, host);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
      s.on('error', () => undefined);
    }
    this.pipe(client, upstream, false);
    this.pipe(upstream, client, true);
  }

  private pipe(from: net.Socket, to: net.Socket, toClient: boolean): void {
    from.on('data', (chunk: Buffer) => {
      from.pause();
      const now = Date.now();
      this.nextFree = Math.max(now, this.nextFree) + (chunk.length * 1000) / this.bytesPerSecond;
      setTimeout(() => {
        if (to.destroyed) return;
        if (toClient) this.bytesToClient += chunk.length;
        to.write(chunk, () => from.resume());
      }, Math.max(0, this.nextFree - now));
    });
    from.on('end', () => to.end());
  }
}

/** Percent steps of one file in plain progress output ("name  40%  ..."), in order. */
export function steps(stderr: string, label: string): number[] {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [...stderr.matchAll(new RegExp(`^${escaped}\\s+(\\d+)%`, 'gm'))].map((m) => Number(m[1]));
}
