/**
 * The local store from the command line. URLs must outlive the command, so a
 * store is a folder served by a long-running `filexfer serve`; the other
 * commands sign with the same secret and talk to that server:
 *   <root>/.filexfer/secret       the HMAC secret, created 0600 on first serve
 *                                 (`--secret-file` or FILEXFER_LOCAL_SECRET override it)
 *   <root>/.filexfer/server.json  { url, pid } of the running server, removed when it stops
 * The endpoint is `--endpoint`, else FILEXFER_LOCAL_ENDPOINT, else server.json,
 * else http://127.0.0.1:7373. The secret is never printed.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { CliError, ExitCode } from './exit-codes.js';

export const INTERNAL_DIR = '.filexfer';
export const DEFAULT_PORT = 7373;
export const DEFAULT_ENDPOINT = `http://127.0.0.1:${DEFAULT_PORT}`;
const MIN_SECRET = 16;

export interface LocalFlags {
  endpoint?: string;
  secretFile?: string;
}

export interface LocalTarget {
  /** The store's root folder (the one holding `.filexfer/`). */
  root: string;
  /** The rest of the local:// path: a prefix or a key, '/'-separated. */
  path: string;
}

/**
 * Splits local://<folder>/<key...> into the store root (the nearest folder
 * holding `.filexfer/`, searching from the full path upwards) and the key.
 * Without such a folder the whole path is the root for uploads and the last
 * segment the key otherwise; `filexfer serve` creates `.filexfer/`.
 */
export async function locateLocal(path: string, wantKey: boolean): Promise<LocalTarget> {
  const full = resolve(path);
  for (let dir = full; ; dir = dirname(dir)) {
    if (await isDir(join(dir, INTERNAL_DIR))) {
      return { root: dir, path: relative(dir, full).split(sep).join('/') + (path.endsWith('/') && full !== dir ? '/' : '') };
    }
    if (dirname(dir) === dir) break;
  }
  if (!wantKey) return { root: full, path: '' };
  return { root: dirname(full), path: full.slice(dirname(full).length + 1) };
}

export function secretPath(root: string): string {
  return join(root, INTERNAL_DIR, 'secret');
}

function serverInfoPath(root: string): string {
  return join(root, INTERNAL_DIR, 'server.json');
}

/** The secret the commands sign with: --secret-file, FILEXFER_LOCAL_SECRET, or <root>/.filexfer/secret. */
export async function readSecret(root: string, flags: LocalFlags, env: NodeJS.ProcessEnv): Promise<string> {
  if (flags.secretFile) return readSecretFile(flags.secretFile, '--secret-file');
  if (env.FILEXFER_LOCAL_SECRET) return checkSecret(env.FILEXFER_LOCAL_SECRET.trim(), 'FILEXFER_LOCAL_SECRET');
  const file = secretPath(root);
  try {
    return await readSecretFile(file, file);
  } catch (error) {
    if (error instanceof CliError && error.exitCode === ExitCode.FILE_NOT_FOUND) {
      throw new CliError(
        ExitCode.CREDENTIALS,
        `No local store secret in ${root}: there is no ${file}.`,
        `Start the store once with \`filexfer serve --root ${root}\` (it creates the secret), or give --secret-file / FILEXFER_LOCAL_SECRET.`,
      );
    }
    throw error;
  }
}

/**
 * For `serve`: the override, or the root's secret file, created with mode 0600
 * (a fresh random 256-bit secret) the first time.
 */
export async function ensureSecret(root: string, flags: LocalFlags, env: NodeJS.ProcessEnv): Promise<{ secret: string; source: string }> {
  if (flags.secretFile) return { secret: await readSecretFile(flags.secretFile, '--secret-file'), source: flags.secretFile };
  if (env.FILEXFER_LOCAL_SECRET) return { secret: checkSecret(env.FILEXFER_LOCAL_SECRET.trim(), 'FILEXFER_LOCAL_SECRET'), source: 'FILEXFER_LOCAL_SECRET' };
  const file = secretPath(root);
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  try {
    const handle = await open(file, 'wx', 0o600);
    try {
      await handle.writeFile(randomBytes(32).toString('hex') + '\n');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return { secret: await readSecretFile(file, file), source: file };
}

async function readSecretFile(file: string, what: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(ExitCode.FILE_NOT_FOUND, `The secret file ${what} does not exist.`);
    if (code === 'EACCES' || code === 'EPERM') throw new CliError(ExitCode.PERMISSION, `No permission to read the secret file ${what}.`, 'Run as the user that runs `filexfer serve`.');
    throw error;
  }
  return checkSecret(text.trim(), what);
}

function checkSecret(secret: string, what: string): string {
  if (secret.length < MIN_SECRET) {
    throw new CliError(ExitCode.USAGE, `The local store secret from ${what} is shorter than ${MIN_SECRET} characters.`, 'Generate one with `openssl rand -hex 32`.');
  }
  return secret;
}

/** The endpoint of the server for `root` (see the header for the order). */
export async function localEndpoint(root: string, flags: LocalFlags, env: NodeJS.ProcessEnv): Promise<string> {
  if (flags.endpoint) return flags.endpoint;
  if (env.FILEXFER_LOCAL_ENDPOINT) return env.FILEXFER_LOCAL_ENDPOINT;
  try {
    const info = JSON.parse(await readFile(serverInfoPath(root), 'utf8')) as { url?: unknown };
    if (typeof info.url === 'string') return info.url;
  } catch {
    // no running server recorded: the default port
  }
  return DEFAULT_ENDPOINT;
}

export async function writeServerInfo(root: string, url: string): Promise<void> {
  await writeFile(serverInfoPath(root), JSON.stringify({ url, pid: process.pid }) + '\n');
}

export async function removeServerInfo(root: string): Promise<void> {
  try {
    const info = JSON.parse(await readFile(serverInfoPath(root), 'utf8')) as { pid?: unknown };
    if (info.pid !== process.pid) return; // another server took over the folder since
  } catch {
    return;
  }
  await rm(serverInfoPath(root), { force: true });
}

/** Fails with "store unreachable" and how to start it when no server answers at `endpoint`. */
export async function checkServer(endpoint: string, root: string): Promise<void> {
  let ok = false;
  try {
    const response = await fetch(new URL('/health', endpoint), { signal: AbortSignal.timeout(5000) });
    ok = response.ok;
    await response.body?.cancel();
  } catch {
    ok = false;
  }
  if (!ok) {
    const port = portOf(endpoint);
    throw new CliError(
      ExitCode.UNREACHABLE,
      `No local store server answers at ${endpoint}.`,
      `Start it in another terminal: filexfer serve --root ${root}${port === DEFAULT_PORT ? '' : ` --port ${port}`}`,
    );
  }
}

function portOf(endpoint: string): number {
  try {
    const url = new URL(endpoint);
    return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  } catch {
    return DEFAULT_PORT;
  }
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
