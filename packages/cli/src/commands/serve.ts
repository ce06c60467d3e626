/**
 * filexfer serve --root <dir> [--port 7373]
 * Runs the local store's server: a private deployment, or a store for tests
 * and demos. Keeps its HMAC secret in <root>/.filexfer/secret (created 0600 on
 * first start; --secret-file or FILEXFER_LOCAL_SECRET override it) and never
 * prints it. Prints its URL on stdout; stops on Ctrl-C (exit 130) or SIGTERM (143).
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startLocalServer } from '@filexfer/local';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { DEFAULT_PORT, ensureSecret, removeServerInfo, writeServerInfo } from '../local-store.js';
import { parsePositiveInt } from '../units.js';

interface ServeFlags {
  root: string;
  port: string;
  host: string;
  secretFile?: string;
  json?: boolean;
}

export function serveCommand(program: Command, ctx: CommandContext, setCode: (code: number) => void): void {
  program
    .command('serve')
    .description('run the local store\'s server (a private deployment) until Ctrl-C')
    .requiredOption('--root <dir>', 'folder that holds the objects (created if missing)')
    .option('--port <n>', 'port to listen on; 0 picks a free one', String(DEFAULT_PORT))
    .option('--host <address>', 'address to listen on (127.0.0.1: this machine only)', '127.0.0.1')
    .option('--secret-file <path>', 'file holding the HMAC secret (default: FILEXFER_LOCAL_SECRET, then <root>/.filexfer/secret)')
    .option('--json', 'print {"event":"listening","url","root"} as JSON')
    .action(async (flags: ServeFlags) => setCode(await serve(flags, ctx)));
}

async function serve(flags: ServeFlags, ctx: CommandContext): Promise<number> {
  const port = flags.port === '0' ? 0 : parsePositiveInt(flags.port, '--port');
  const root = resolve(flags.root);
  await mkdir(root, { recursive: true });
  const { secret, source } = await ensureSecret(root, { secretFile: flags.secretFile }, ctx.env);
  let server;
  try {
    server = await startLocalServer({ root, port, host: flags.host, secret });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new CliError(ExitCode.FAILURE, `Port ${port} on ${flags.host} is already in use (another filexfer serve?).`, 'Pick another with --port, or stop the other server.');
    if (code === 'EACCES') throw new CliError(ExitCode.PERMISSION, `No permission to listen on port ${port}.`, 'Use a port above 1023.');
    throw error;
  }
  await writeServerInfo(root, server.url);
  const { stdout, stderr } = ctx.streams;
  if (flags.json) {
    stdout.write(JSON.stringify({ event: 'listening', url: server.url, root }) + '\n');
  } else {
    stdout.write(server.url + '\n');
    stderr.write(
      [
        `Serving ${root} at ${server.url}`,
        `Secret: ${source} (never printed)`,
        `Upload with: filexfer upload <file> --to local://${root}/`,
        'Stop with Ctrl-C.',
        '',
      ].join('\n'),
    );
    if (flags.host !== '127.0.0.1' && flags.host !== 'localhost' && flags.host !== '::1') {
      stderr.write('Note: reachable from the network over plain HTTP; put a TLS proxy in front of it.\n');
    }
  }
  await new Promise<void>((done) => {
    if (ctx.signal.aborted) return done();
    ctx.signal.addEventListener('abort', () => done(), { once: true });
  });
  await server.close();
  await removeServerInfo(root);
  if (!flags.json) stderr.write('Stopped.\n');
  return ctx.stoppedBy() === 'SIGTERM' ? ExitCode.TERMINATED : ExitCode.INTERRUPTED;
}
