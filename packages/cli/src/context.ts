/** What every command gets: the streams, the environment, and the stop signal that Ctrl-C fires. */
import type { Streams } from './progress/view.js';

export interface CommandContext {
  streams: Streams;
  env: NodeJS.ProcessEnv;
  /** Aborted on the first SIGINT or SIGTERM: transfers stop and clean up, then the command returns. */
  signal: AbortSignal;
  /** Which signal stopped the command, if any. */
  stoppedBy(): NodeJS.Signals | undefined;
}
