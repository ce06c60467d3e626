/**
 * filexfer upload <file...> --to <store-url>
 * Uploads each file (up to 4 at once, parts in parallel) and prints its
 * download URL on stdout, one line per file in argument order.
 */
import { randomUUID } from 'node:crypto';
import { access, constants, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { TransferManager } from '@filexfer/core';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { contentTypeFor } from '../mime.js';
import { parseStoreUrl } from '../store-url.js';
import { openStore } from '../stores.js';
import { parseDuration, parsePositiveInt, parseSize } from '../units.js';
import { addOutputOptions, addStoreOptions, finish, openView, runAll, storeFlags, type OutputFlags } from './shared.js';

interface UploadFlags extends OutputFlags {
  to: string;
  key?: string;
  contentType?: string;
  expires?: string;
  concurrency?: string;
  partSize?: string;
}

export function uploadCommand(program: Command, ctx: CommandContext, setCode: (code: number) => void): void {
  const command = program
    .command('upload')
    .description('upload files to a store and print each file\'s download URL')
    .argument('<file...>', 'files to upload')
    .requiredOption('--to <store-url>', 's3://bucket/prefix/, gs://bucket/prefix/, az://container/prefix/ or local://root-folder/')
    .option('--key <key>', 'object key under the prefix; {name} is the file name, {uuid} a random id (default "{uuid}/{name}")')
    .option('--content-type <type>', 'content type (default: from the file extension, else application/octet-stream)')
    .option('--expires <duration>', 'how long the printed URLs work: seconds or 15m, 12h, 7d (default 7d, the longest S3 and GCS allow)')
    .option('--concurrency <n>', 'parts of one file in flight at once (default 4)')
    .option('--part-size <size>', 'bytes per part, e.g. 8MiB (default 8MiB; files up to this size go in one request)');
  addOutputOptions(command);
  addStoreOptions(command);
  command.action(async (files: string[], flags: UploadFlags) => setCode(await upload(files, flags, ctx)));
}

async function upload(files: string[], flags: UploadFlags, ctx: CommandContext): Promise<number> {
  const target = parseStoreUrl(flags.to);
  const expiresIn = flags.expires ? parseDuration(flags.expires, '--expires') : undefined;
  const partSize = flags.partSize ? parseSize(flags.partSize, '--part-size') : undefined;
  const partConcurrency = flags.concurrency ? parsePositiveInt(flags.concurrency, '--concurrency') : undefined;
  const sizes = await Promise.all(files.map(checkInput));
  const template = flags.key ?? '{uuid}/{name}';
  if (files.length > 1 && !template.includes('{name}') && !template.includes('{uuid}')) {
    throw new CliError(ExitCode.USAGE, `--key "${template}" would give all ${files.length} files the same key.`, 'Put {name} (the file name) or {uuid} in it, e.g. --key "photos/{name}".');
  }

  const store = await openStore(target, storeFlags(flags as unknown as Record<string, unknown>), { want: 'prefix', needsServer: true, env: ctx.env });
  const keys = files.map((file) => store.path + template.replaceAll('{name}', basename(file)).replaceAll('{uuid}', randomUUID()));
  const duplicate = keys.find((key, i) => keys.indexOf(key) !== i);
  if (duplicate) {
    await store.adapter.close?.();
    throw new CliError(ExitCode.USAGE, `Two files would be stored under the same key "${duplicate}".`, 'Use {uuid} in --key, or rename one of the files.');
  }

  const manager = new TransferManager({ adapter: store.adapter, partSize, partConcurrency, downloadUrlExpiresIn: expiresIn });
  const view = openView(flags, ctx);
  const labels = uniqueLabels(files);
  files.forEach((_, id) => view.add(id, labels[id]!, sizes[id]));

  // URLs go out in argument order, each as soon as it and all before it are settled.
  const urls: Array<string | null | undefined> = new Array(files.length).fill(undefined);
  let next = 0;
  const flush = () => {
    while (next < urls.length && urls[next] !== undefined) {
      const url = urls[next++];
      if (url) view.result(url);
    }
  };

  let outcome;
  try {
    outcome = await runAll(
      ctx,
      view,
      files.length,
      async (id, signal) => {
        try {
          const file = await manager.upload(files[id]!, {
            key: keys[id],
            contentType: flags.contentType ?? contentTypeFor(files[id]!),
            signal,
            onProgress: (p) => view.progress(id, p),
          });
          view.done(id, { url: file.url, key: file.key, size: file.size, crc32c: file.checksum?.crc32c });
          urls[id] = file.url;
        } catch (error) {
          urls[id] = null;
          throw error;
        } finally {
          flush();
        }
      },
      { signedBy: 'credentials', scheme: target.scheme },
    );
  } finally {
    await manager.close();
    await store.adapter.close?.();
  }
  return finish(ctx, view, outcome, 'upload');
}

/** The size of a file to upload, or an error that names the problem (missing, unreadable, a folder). */
async function checkInput(file: string): Promise<number> {
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw new CliError(ExitCode.USAGE, `${file} is a folder.`, `Upload the files in it: filexfer upload ${file.replace(/\/+$/, '')}/* --to ...`);
    if (!info.isFile()) throw new CliError(ExitCode.USAGE, `${file} is not a regular file.`);
    await access(file, constants.R_OK);
    return info.size;
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(ExitCode.FILE_NOT_FOUND, `No such file: ${file}`);
    if (code === 'EACCES' || code === 'EPERM') throw new CliError(ExitCode.PERMISSION, `No permission to read ${file}.`);
    throw error;
  }
}

/** Labels for the progress display: the file name, or the path as typed when two names are the same. */
function uniqueLabels(files: string[]): string[] {
  const names = files.map((f) => basename(f));
  return names.map((name, i) => (names.indexOf(name) !== names.lastIndexOf(name) ? files[i]! : name));
}
