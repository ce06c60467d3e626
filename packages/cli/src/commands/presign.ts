/**
 * filexfer presign <store-url-with-key> [--method get|put] [--expires 1h]
 * Prints a signed URL: GET to share an object, PUT to let someone without
 * credentials upload one (send it with the headers shown).
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { CommandContext } from '../context.js';
import { parseStoreUrl } from '../store-url.js';
import { openStore } from '../stores.js';
import { parseDuration } from '../units.js';
import { addStoreOptions, storeFlags } from './shared.js';

interface PresignFlags {
  method: 'get' | 'put';
  expires: string;
  contentType?: string;
  json?: boolean;
}

export function presignCommand(program: Command, ctx: CommandContext, setCode: (code: number) => void): void {
  const command = program
    .command('presign')
    .description('print a signed URL for one object: GET to share it, PUT to upload it without credentials')
    .argument('<store-url>', 's3://bucket/key, gs://bucket/key, az://container/key or local://root/key')
    .addOption(new Option('--method <method>', 'get or put').choices(['get', 'put']).default('get'))
    .option('--expires <duration>', 'how long the URL works: seconds or 15m, 12h, 7d', '1h')
    .option('--content-type <type>', 'put: the content type the uploader must send')
    .option('--json', 'print { method, url, headers, expiresIn } as JSON');
  addStoreOptions(command);
  command.action(async (source: string, flags: PresignFlags) => setCode(await presign(source, flags, ctx)));
}

async function presign(source: string, flags: PresignFlags, ctx: CommandContext): Promise<number> {
  const target = parseStoreUrl(source);
  const expiresIn = parseDuration(flags.expires, '--expires');
  const store = await openStore(target, storeFlags(flags as unknown as Record<string, unknown>), { want: 'key', needsServer: false, env: ctx.env });
  try {
    const request =
      flags.method === 'put'
        ? await store.adapter.presignUpload(store.path, { expiresIn, ...(flags.contentType ? { contentType: flags.contentType } : {}) })
        : { method: 'GET' as const, url: await store.adapter.presignDownload(store.path, { expiresIn }), headers: {} };
    const { stdout, stderr } = ctx.streams;
    if (flags.json) {
      stdout.write(JSON.stringify({ method: request.method, url: request.url, headers: request.headers ?? {}, expiresIn }) + '\n');
    } else {
      stdout.write(request.url + '\n');
      const headers = Object.entries(request.headers ?? {});
      if (request.method !== 'GET' || headers.length > 0) {
        stderr.write(`Send it as ${request.method}${headers.length ? ' with these headers' : ''}${headers.length ? ':\n' + headers.map(([n, v]) => `  ${n}: ${v}`).join('\n') : ''}\n`);
        if (request.method === 'PUT') {
          stderr.write(`e.g. curl -X PUT ${headers.map(([n, v]) => `-H '${n}: ${v}' `).join('')}--upload-file <file> '<url>'\n`);
        }
      }
    }
    return 0;
  } finally {
    await store.adapter.close?.();
  }
}
