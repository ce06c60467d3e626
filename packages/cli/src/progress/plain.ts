/**
 * Progress for pipes and log files: one line per file each time it crosses a
 * step (every 10% by default), the last one at 100%, e.g.
 *   photo.jpg  40%  4.0 MiB / 10.0 MiB  2.1 MiB/s  ETA 3s
 * A fast transfer that jumps several steps at once prints only the step it reached.
 */
import { formatBytes, formatEta, formatSpeed } from '../units.js';
import type { DoneInfo, FailInfo, ProgressSnapshot, Streams, TransferView } from './view.js';

interface Row {
  label: string;
  total?: number;
  lastStep: number;
  last?: ProgressSnapshot;
}

export class PlainView implements TransferView {
  private readonly rows = new Map<number, Row>();
  private width = 0;

  constructor(
    private readonly streams: Streams,
    private readonly showProgress = true,
    private readonly step = 10,
  ) {}

  add(id: number, label: string, totalBytes?: number): void {
    this.rows.set(id, { label, total: totalBytes, lastStep: -1 });
    this.width = Math.max(this.width, label.length);
  }

  resumed(id: number, fromBytes: number): void {
    const row = this.rows.get(id);
    if (row && this.showProgress) this.streams.stderr.write(`${row.label}  resuming from ${formatBytes(fromBytes)} (partial file from an earlier run)\n`);
  }

  progress(id: number, p: ProgressSnapshot): void {
    const row = this.rows.get(id);
    if (!row) return;
    row.last = p;
    row.total = p.totalBytes;
    const step = p.percent >= 100 ? 100 : Math.floor(p.percent / this.step) * this.step;
    if (step <= row.lastStep) return;
    // Every byte sent, the store not yet done confirming: the 100% line follows at once.
    if (step < 100 && p.totalBytes > 0 && p.bytesTransferred >= p.totalBytes) return;
    row.lastStep = step;
    this.line(row, step, p);
  }

  done(id: number, info: DoneInfo): void {
    const row = this.rows.get(id);
    if (!row || row.lastStep >= 100) return;
    row.lastStep = 100;
    const bps = row.last?.bytesPerSecond ?? 0;
    this.line(row, 100, { bytesTransferred: info.size, totalBytes: info.size, percent: 100, bytesPerSecond: bps });
  }

  fail(id: number, info: FailInfo): void {
    const label = this.rows.get(id)?.label;
    this.streams.stderr.write(`${label ? `${label}: ` : ''}error: ${info.message}\n${info.hint ? `  ${info.hint}\n` : ''}`);
  }

  result(line: string): void {
    this.streams.stdout.write(line + '\n');
  }

  note(text: string): void {
    this.streams.stderr.write(text + '\n');
  }

  stop(): void {}

  private line(row: Row, step: number, p: ProgressSnapshot): void {
    if (!this.showProgress) return;
    const eta = step >= 100 ? '' : `  ETA ${formatEta(p.totalBytes - p.bytesTransferred, p.bytesPerSecond)}`;
    this.streams.stderr.write(
      `${row.label.padEnd(this.width)}  ${String(step).padStart(3)}%  ${formatBytes(p.bytesTransferred)} / ${formatBytes(p.totalBytes)}  ${formatSpeed(p.bytesPerSecond)}${eta}\n`,
    );
  }
}
