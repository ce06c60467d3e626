/**
 * Live bars on a terminal (cli-progress), one per file and, with more than one
 * file, a Total bar under them:
 *   photo.jpg  ████████████░░░░░░░░░░░░░░░░░░  40% | 4.0 MiB / 10.0 MiB | 2.1 MiB/s | ETA 3s
 *   Total      ██████░░░░░░░░░░░░░░░░░░░░░░░░  20% | 4.0 MiB / 20.0 MiB | 2.1 MiB/s | ETA 8s
 * Drawn on stderr at most 10 times a second. URLs for stdout wait until the
 * bars are gone when stdout is the same terminal, so they never tear a bar.
 */
import cliProgress from 'cli-progress';
import { formatBytes, formatEta, formatSpeed } from '../units.js';
import type { DoneInfo, FailInfo, ProgressSnapshot, Streams, TransferView } from './view.js';

interface Row {
  label: string;
  bar?: cliProgress.SingleBar;
  total?: number;
  bytes: number;
  bytesPerSecond: number;
  percent: number;
  state: 'running' | 'done' | 'failed';
}

const FORMAT = '{label} {bar} {pct}% | {moved} / {size} | {speed} | {tail}';
const LABEL_WIDTH = 24;

export class TtyView implements TransferView {
  private readonly multibar: cliProgress.MultiBar;
  private readonly rows = new Map<number, Row>();
  private totalBar?: cliProgress.SingleBar;
  private readonly held: string[] = [];
  private readonly messages: string[] = [];
  private labelWidth = 5;
  private stopped = false;
  private readonly startedAt = Date.now();

  constructor(private readonly streams: Streams) {
    this.multibar = new cliProgress.MultiBar({
      stream: streams.stderr,
      format: FORMAT,
      barsize: 30,
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
      fps: 10,
      barCompleteChar: '\u2588',
      barIncompleteChar: '\u2591',
      gracefulExit: false,
    });
  }

  add(id: number, label: string, totalBytes?: number): void {
    const short = label.length > LABEL_WIDTH ? `…${label.slice(-(LABEL_WIDTH - 1))}` : label;
    this.labelWidth = Math.max(this.labelWidth, short.length);
    const row: Row = { label: short, total: totalBytes, bytes: 0, bytesPerSecond: 0, percent: 0, state: 'running' };
    this.rows.set(id, row);
    row.bar = this.multibar.create(100, 0, this.payload(row));
  }

  resumed(id: number, fromBytes: number): void {
    const row = this.rows.get(id);
    if (!row) return;
    row.bytes = fromBytes;
    this.messages.push(`${row.label}: resumed from ${formatBytes(fromBytes)} (partial file from an earlier run)`);
    this.redraw(row);
  }

  progress(id: number, p: ProgressSnapshot): void {
    const row = this.rows.get(id);
    if (!row || row.state !== 'running') return;
    row.bytes = p.bytesTransferred;
    row.total = p.totalBytes;
    row.percent = p.percent;
    row.bytesPerSecond = p.bytesPerSecond;
    this.redraw(row);
  }

  done(id: number, info: DoneInfo): void {
    const row = this.rows.get(id);
    if (!row) return;
    row.state = 'done';
    row.bytes = info.size;
    row.total = info.size;
    row.percent = 100;
    this.redraw(row);
  }

  fail(id: number, info: FailInfo): void {
    const row = this.rows.get(id);
    if (row) {
      row.state = 'failed';
      this.redraw(row);
    }
    this.messages.push(`${row ? `${row.label}: ` : ''}error: ${info.message}${info.hint ? `\n  ${info.hint}` : ''}`);
  }

  result(line: string): void {
    if (this.streams.stdout.isTTY && !this.stopped) this.held.push(line);
    else this.streams.stdout.write(line + '\n');
  }

  note(text: string): void {
    this.messages.push(text);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const row of this.rows.values()) this.redraw(row);
    this.multibar.stop();
    for (const message of this.messages) this.streams.stderr.write(message + '\n');
    for (const line of this.held) this.streams.stdout.write(line + '\n');
  }

  private redraw(row: Row): void {
    if (this.stopped && !row.bar) return;
    row.bar?.update(row.percent, this.payload(row));
    this.updateTotal();
  }

  private updateTotal(): void {
    if (this.rows.size < 2) return;
    this.totalBar ??= this.multibar.create(100, 0, {});
    const rows = [...this.rows.values()];
    const bytes = rows.reduce((s, r) => s + r.bytes, 0);
    const known = rows.every((r) => r.total !== undefined);
    const total = rows.reduce((s, r) => s + (r.total ?? 0), 0);
    const allDone = rows.every((r) => r.state === 'done');
    const percent = allDone ? 100 : total > 0 ? Math.min(99, Math.floor((100 * bytes) / total)) : 0;
    // The Total's speed is the average since the command started, so it does not drop to 0 as files finish.
    const speed = Math.round(bytes / Math.max(0.001, (Date.now() - this.startedAt) / 1000));
    const failed = rows.some((r) => r.state === 'failed');
    const totalRow: Row = { label: 'Total', total: known ? total : undefined, bytes, bytesPerSecond: speed, percent, state: allDone ? 'done' : failed && rows.every((r) => r.state !== 'running') ? 'failed' : 'running' };
    this.totalBar.update(percent, this.payload(totalRow));
  }

  private payload(row: Row): Record<string, string> {
    const total = row.total;
    const tail =
      row.state === 'done' ? 'done' : row.state === 'failed' ? 'failed' : `ETA ${total === undefined ? '--' : formatEta(total - row.bytes, row.bytesPerSecond)}`;
    return {
      label: row.label.padEnd(this.labelWidth),
      pct: String(row.percent).padStart(3),
      moved: formatBytes(row.bytes),
      size: total === undefined ? '?' : formatBytes(total),
      speed: formatSpeed(row.bytesPerSecond),
      tail,
    };
  }
}
