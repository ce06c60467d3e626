/**
 * What a command tells the user while files move. Three renderers share this
 * shape: live bars on a terminal (tty.ts), one line per file per step when the
 * output is a pipe or a file (plain.ts), NDJSON events for machines (json.ts).
 * Progress and messages go to stderr, results (URLs, paths) to stdout, so
 * `filexfer upload ... > urls.txt` keeps only the URLs; with --json everything
 * is on stdout, one JSON object per line.
 */
export interface ProgressSnapshot {
  bytesTransferred: number;
  totalBytes: number;
  percent: number;
  bytesPerSecond: number;
}

export interface DoneInfo {
  /** The URL to share (uploads). */
  url?: string;
  key?: string;
  /** Where the bytes went (downloads). */
  path?: string;
  size: number;
  crc32c?: string;
}

export interface FailInfo {
  code: string;
  exitCode: number;
  message: string;
  hint?: string;
}

export interface TransferView {
  /** A file joins; `totalBytes` when known before the first byte. */
  add(id: number, label: string, totalBytes?: number): void;
  /** A download picks up a partial file left by an earlier run. */
  resumed(id: number, fromBytes: number): void;
  progress(id: number, p: ProgressSnapshot): void;
  done(id: number, info: DoneInfo): void;
  fail(id: number, info: FailInfo): void;
  /** A result line for stdout (a URL, a path); the tty view holds them until the bars are gone when both share a terminal. */
  result(line: string): void;
  /** A note for the user (stderr; a JSON event with --json). */
  note(text: string): void;
  /** Ends the display (bars drawn for the last time, cursor restored). */
  stop(): void;
}

export type ViewKind = 'tty' | 'plain' | 'json';

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}
