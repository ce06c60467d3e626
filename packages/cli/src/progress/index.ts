/** Picks the renderer: --json, live bars when stderr is a terminal, plain lines otherwise. */
import { JsonView } from './json.js';
import { PlainView } from './plain.js';
import { TtyView } from './tty.js';
import type { Streams, TransferView, ViewKind } from './view.js';

export type { DoneInfo, FailInfo, ProgressSnapshot, Streams, TransferView, ViewKind } from './view.js';
export { JsonView } from './json.js';

export function chooseView(options: { json?: boolean; progress?: boolean }, streams: Streams): ViewKind {
  if (options.json) return 'json';
  if (options.progress !== false && streams.stderr.isTTY) return 'tty';
  return 'plain';
}

export function createView(kind: ViewKind, streams: Streams, showProgress = true): TransferView {
  if (kind === 'json') return new JsonView(streams);
  if (kind === 'tty') return new TtyView(streams);
  return new PlainView(streams, showProgress);
}
