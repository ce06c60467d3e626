/**
 * The filexfer command: parses arguments (commander), runs one command and
 * returns its exit code. Ctrl-C (SIGINT) or SIGTERM aborts the command's
 * signal: running transfers stop, store-side sessions are aborted and partial
 * files removed, then the command returns 130 (143 for SIGTERM). A second
 * Ctrl-C exits at once.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { downloadCommand } from './commands/download.js';
import { presignCommand } from './commands/presign.js';
import { serveCommand } from './commands/serve.js';
import { uploadCommand } from './commands/upload.js';
import type { CommandContext } from './context.js';
import { ExitCode } from './exit-codes.js';
import { JsonView } from './progress/json.js';
import type { Streams } from './progress/view.js';
import { describeError } from './report.js';
import { hasScheme, isHttpUrl, parseStoreUrl, type Scheme } from './store-url.js';

export interface MainOptions {
  streams?: Streams;
  env?: NodeJS.ProcessEnv;
  /** Install SIGINT/SIGTERM handlers (the bin does; an embedding program may not want them). */
  handleSignals?: boolean;
}

export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const streams = options.streams ?? { stdout: process.stdout, stderr: process.stderr };
  const env = options.env ?? process.env;
  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stoppedBy) process.exit(signal === 'SIGTERM' ? ExitCode.TERMINATED : ExitCode.INTERRUPTED); // second signal: now
    stoppedBy = signal;
    controller.abort();
  };
  if (options.handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  const ctx: CommandContext = { streams, env, signal: controller.signal, stoppedBy: () => stoppedBy };

  let code: number = ExitCode.OK;
  const setCode = (c: number) => (code = c);
  const program = new Command('filexfer')
    .description('Upload files to S3, GCS, Azure Blob or a local store and share download URLs; download them back.')
    .version(version(), '-V, --version')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => streams.stdout.write(s), writeErr: (s) => streams.stderr.write(s) });
  program.addHelpText(
    'after',
    `
Store URLs: s3://bucket/prefix/  gs://bucket/prefix/  az://container/prefix/  local://root-folder/
Exit codes: 0 ok, 1 other failure, 2 usage, 3 unknown scheme or bad store URL, 4 credentials missing
or refused, 5 no permission, 6 file not found, 7 object not found, 8 URL refused (tampered or
expired), 9 store unreachable, 10 checksum mismatch, 130 interrupted (Ctrl-C), 143 SIGTERM.`,
  );
  uploadCommand(program, ctx, setCode);
  downloadCommand(program, ctx, setCode);
  presignCommand(program, ctx, setCode);
  serveCommand(program, ctx, setCode);

  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message; help and --version end with 0.
      return error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    if (stoppedBy) return stoppedBy === 'SIGTERM' ? ExitCode.TERMINATED : ExitCode.INTERRUPTED;
    const info = describeError(error, errorContext(argv));
    if (argv.includes('--json')) {
      new JsonView(streams).emit({ event: 'error', ...info });
    } else {
      streams.stderr.write(`filexfer: error: ${info.message}\n${info.hint ? `  ${info.hint}\n` : ''}`);
    }
    return info.exitCode;
  } finally {
    if (options.handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
  return code;
}

/** For errors raised before a transfer starts: which scheme, and whether a shared URL was given. */
function errorContext(argv: string[]): { signedBy: 'url' | 'credentials'; scheme?: Scheme } {
  const args = argv.slice(2);
  if (args[0] === 'download' && args.some((a) => isHttpUrl(a))) return { signedBy: 'url' };
  const to = args.indexOf('--to');
  const candidates = [...(to >= 0 && args[to + 1] ? [args[to + 1]!] : []), ...args.filter((a) => hasScheme(a) && !isHttpUrl(a))];
  for (const text of candidates) {
    try {
      return { signedBy: 'credentials', scheme: parseStoreUrl(text).scheme };
    } catch {
      // not a store URL
    }
  }
  return { signedBy: 'credentials' };
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
