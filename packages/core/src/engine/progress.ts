/**
 * One progress shape for every store. Bytes count when the socket accepted
 * them (uploads) or when they reached the temp file (downloads); a part sent
 * twice counts once (each part is credited with the most bytes any attempt
 * sent), so progress never goes back. Percent is a whole number, held at 99
 * until the store confirmed the whole object, then 100 exactly once.
 */
export interface TransferProgress {
  bytesTransferred: number;
  totalBytes: number;
  /** Whole percent, 0..100. */
  percent: number;
  /** Average since the transfer (re)started. */
  bytesPerSecond: number;
}

export class ProgressMeter {
  private readonly credited = new Map<number, number>();
  private bytes = 0;
  private lastPercent = -1;
  private lastEmit = 0;
  private readonly startedAt = Date.now();
  private readonly startBytes: number;
  private finished = false;

  constructor(
    private readonly total: number,
    private readonly intervalMs: number,
    private readonly emit: (progress: TransferProgress) => void,
    alreadyTransferred = 0,
  ) {
    this.bytes = alreadyTransferred;
    this.startBytes = alreadyTransferred;
  }

  get bytesTransferred(): number {
    return this.bytes;
  }

  /** Credits `slot` (a part, or the download stream) with `attemptBytes` sent by its current attempt. */
  credit(slot: number, attemptBytes: number): void {
    const before = this.credited.get(slot) ?? 0;
    if (attemptBytes <= before) return;
    this.credited.set(slot, attemptBytes);
    this.bytes += attemptBytes - before;
    this.maybeEmit(false);
  }

  /** Bytes that were confirmed without being sent now (resume). */
  addConfirmed(bytes: number): void {
    this.bytes += bytes;
    this.maybeEmit(false);
  }

  /** The store confirmed everything: report 100 once. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.bytes = this.total;
    this.maybeEmit(true);
  }

  snapshot(): TransferProgress {
    const elapsed = Math.max(1, Date.now() - this.startedAt) / 1000;
    return {
      bytesTransferred: Math.min(this.bytes, this.total),
      totalBytes: this.total,
      percent: this.percent(),
      bytesPerSecond: Math.round((this.bytes - this.startBytes) / elapsed),
    };
  }

  private percent(): number {
    if (this.finished) return 100;
    if (this.total <= 0) return 0;
    return Math.min(99, Math.floor((100 * this.bytes) / this.total));
  }

  private maybeEmit(force: boolean): void {
    const percent = this.percent();
    if (percent <= this.lastPercent) return;
    const now = Date.now();
    if (!force && this.lastPercent >= 0 && now - this.lastEmit < this.intervalMs) return;
    this.lastPercent = percent;
    this.lastEmit = now;
    this.emit(this.snapshot());
  }
}
