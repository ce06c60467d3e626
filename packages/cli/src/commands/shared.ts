/** Pieces the transfer commands share: store flags, the view, and running a batch of transfers to an exit code. */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { CommandContext } from '../context.js';
import { ExitCode, type SignedBy } from '../exit-codes.js';
import { chooseView, createView, type TransferView } from '../progress/index.js';
import { describeError } from '../report.js';
import type { Scheme } from '../store-url.js';
import type { StoreFlags } from '../stores.js';

export interface OutputFlags {
  json?: boolean;
  progress?: boolean;
}

/** Flags naming a store's credentials and endpoint; each SDK's environment is read first, flags win. */
export function addStoreOptions(command: Command): Command {
  const group = 'Store options (defaults come from each SDK\'s environment):';
  const options = [
    new Option('--endpoint <url>', 'store endpoint: S3-compatible URL, GCS API endpoint, Azure blob service URL, or the local server'),
    new Option('--region <region>', 's3: the bucket region (default: AWS_REGION or the profile)'),
    new Option('--profile <name>', 's3: the AWS profile (default: AWS_PROFILE)'),
    new Option('--path-style', 's3: bucket in the path, not the host name (default with --endpoint)'),
    new Option('--key-file <path>', 'gs: service account key file (default: GOOGLE_APPLICATION_CREDENTIALS)'),
    new Option('--project <id>', 'gs: project id (default: from the credentials)'),
    new Option('--connection-string <string>', 'az: connection string (default: AZURE_STORAGE_CONNECTION_STRING; prefer the variable, argv is visible to other users)'),
    new Option('--account-name <name>', 'az: account name, with AZURE_STORAGE_KEY'),
    new Option('--secret-file <path>', 'local: the server\'s secret (default: FILEXFER_LOCAL_SECRET, then <root>/.filexfer/secret)'),
  ];
  for (const option of options) command.addOption(option.helpGroup(group));
  return command;
}

export function addOutputOptions(command: Command): Command {
  return command
    .option('--json', 'machine-readable output: one JSON event per line on stdout')
    .option('--no-progress', 'no progress display (errors and results only)');
}

export function storeFlags(options: Record<string, unknown>): StoreFlags {
  const pick = (name: string) => (typeof options[name] === 'string' ? (options[name] as string) : undefined);
  return {
    endpoint: pick('endpoint'),
    region: pick('region'),
    profile: pick('profile'),
    pathStyle: options.pathStyle === true,
    keyFile: pick('keyFile'),
    project: pick('project'),
    connectionString: pick('connectionString'),
    accountName: pick('accountName'),
    secretFile: pick('secretFile'),
  };
}

export function openView(flags: OutputFlags, ctx: CommandContext): TransferView {
  return createView(chooseView(flags, ctx.streams), ctx.streams, flags.progress !== false);
}

export interface Outcome {
  /** Exit codes of the transfers that failed, in argument order. */
  failures: number[];
  /** How many were stopped by Ctrl-C. */
  stopped: number;
}

/**
 * Runs the transfers, each with its own AbortController tied to Ctrl-C, and
 * waits for every one to settle (a stopped one has then aborted its store-side
 * session and removed its partial file) before returning.
 */
export async function runAll(
  ctx: CommandContext,
  view: TransferView,
  count: number,
  start: (id: number, signal: AbortSignal) => Promise<void>,
  errorContext: { signedBy: SignedBy; scheme?: Scheme },
): Promise<Outcome> {
  const failures: Array<number | undefined> = new Array(count).fill(undefined);
  let stopped = 0;
  await Promise.all(
    Array.from({ length: count }, async (_, id) => {
      const controller = new AbortController();
      const onStop = () => controller.abort();
      ctx.signal.addEventListener('abort', onStop, { once: true });
      if (ctx.signal.aborted) controller.abort();
      try {
        await start(id, controller.signal);
      } catch (error) {
        const info = describeError(error, errorContext);
        if (controller.signal.aborted && info.exitCode === ExitCode.INTERRUPTED) {
          stopped++;
        } else {
          failures[id] = info.exitCode;
          view.fail(id, info);
        }
      } finally {
        ctx.signal.removeEventListener('abort', onStop);
      }
    }),
  );
  return { failures: failures.filter((c): c is number => c !== undefined), stopped };
}

/** The exit code of a batch: the interrupt first, then the first failure in argument order. */
export function finish(ctx: CommandContext, view: TransferView, outcome: Outcome, what: string): number {
  const by = ctx.stoppedBy();
  if (by) {
    const n = outcome.stopped;
    view.note(`Interrupted: stopped ${n} unfinished ${what}${n === 1 ? '' : 's'} and cleaned up after ${n === 1 ? 'it' : 'them'}.`);
    view.stop();
    return by === 'SIGTERM' ? ExitCode.TERMINATED : ExitCode.INTERRUPTED;
  }
  view.stop();
  return outcome.failures[0] ?? ExitCode.OK;
}
