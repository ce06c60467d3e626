/**
 * filexfer download <url-or-store-url> [-o path]
 * Downloads a shared http(s) URL, or an object named by a store URL (signed
 * here with the user's credentials), into a temp file beside the destination,
 * renamed into place once complete and verified. A partial file left by an
 * earlier run that failed or was killed is resumed (Range + If-Match); Ctrl-C
 * removes it.
 */
import { stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { partialPaths, TransferManager, type StorageAdapter } from '@filexfer/core';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { CliError, ExitCode, type SignedBy } from '../exit-codes.js';
import { hasScheme, isHttpUrl, parseStoreUrl, type Scheme } from '../store-url.js';
import { openStore } from '../stores.js';
import { SharedUrlAdapter } from '../url-adapter.js';
import { addOutputOptions, addStoreOptions, finish, openView, runAll, storeFlags, type OutputFlags } from './shared.js';

interface DownloadFlags extends OutputFlags {
  output?: string;
}

/** How long the URL this command signs for a store URL lives: it is used at once, and re-signed never. */
const STORE_URL_EXPIRES_IN = 3600;

export function downloadCommand(program: Command, ctx: CommandContext, setCode: (code: number) => void): void {
  const command = program
    .command('download')
    .description('download a shared URL or a store object; resumes a partial download left by an earlier run')
    .argument('<url-or-store-url>', 'an http(s) URL someone shared, or s3://bucket/key, gs://..., az://..., local://root/key')
    .option('-o, --output <path>', 'file to write, or a folder to write into (default: the name from the URL, in the current folder)');
  addOutputOptions(command);
  addStoreOptions(command);
  command.action(async (source: string, flags: DownloadFlags) => setCode(await download(source, flags, ctx)));
}

async function download(source: string, flags: DownloadFlags, ctx: CommandContext): Promise<number> {
  let adapter: StorageAdapter;
  let url: string;
  let name: string;
  let signedBy: SignedBy;
  let scheme: Scheme | undefined;
  if (isHttpUrl(source)) {
    try {
      const parsed = new URL(source);
      name = lastSegment(decodeURIComponent(parsed.pathname));
    } catch {
      throw new CliError(ExitCode.USAGE, 'The URL is malformed.', 'Copy the whole link, in quotes: filexfer download "<url>"');
    }
    adapter = new SharedUrlAdapter();
    url = source;
    signedBy = 'url';
  } else if (hasScheme(source)) {
    const target = parseStoreUrl(source);
    const store = await openStore(target, storeFlags(flags as unknown as Record<string, unknown>), { want: 'key', needsServer: true, env: ctx.env });
    adapter = store.adapter;
    url = await adapter.presignDownload(store.path, { expiresIn: STORE_URL_EXPIRES_IN });
    name = lastSegment(store.path);
    signedBy = 'credentials';
    scheme = target.scheme;
  } else {
    throw new CliError(ExitCode.BAD_STORE_URL, `${JSON.stringify(source)} is neither a URL nor a store URL.`, 'Give the http(s) link that was shared, or s3://bucket/key, gs://bucket/key, az://container/key, local://root/key.');
  }

  const dest = await destination(flags.output, name || 'download');
  const manager = new TransferManager({ adapter });
  const view = openView(flags, ctx);
  view.add(0, basename(dest));
  const partial = await partialSize(dest);
  if (partial > 0) view.resumed(0, partial);

  let outcome;
  try {
    outcome = await runAll(
      ctx,
      view,
      1,
      async (id, signal) => {
        const file = await manager.download(url, dest, { signal, onProgress: (p) => view.progress(id, p) });
        view.done(id, { path: dest, size: file.size, crc32c: file.checksum?.crc32c });
        view.result(dest);
      },
      { signedBy, scheme },
    );
  } finally {
    await manager.close();
    await adapter.close?.();
  }
  return finish(ctx, view, outcome, 'download');
}

async function destination(output: string | undefined, name: string): Promise<string> {
  if (output === undefined) return resolve(name);
  if (output.endsWith('/') || (await isDir(output))) return resolve(join(output, name));
  return resolve(output);
}

function lastSegment(path: string): string {
  const segments = path.split('/').filter((s) => s !== '' && s !== '.' && s !== '..');
  return segments[segments.length - 1] ?? '';
}

async function partialSize(dest: string): Promise<number> {
  const paths = partialPaths(dest);
  try {
    await stat(paths.note);
    return (await stat(paths.data)).size;
  } catch {
    return 0;
  }
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
