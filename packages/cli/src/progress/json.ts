/**
 * --json: one JSON object per line on stdout, for programs:
 *   {"event":"start","id":0,"file":"a.bin","size":1048576}
 *   {"event":"resume","id":0,"file":"a.bin","fromBytes":524288}
 *   {"event":"progress","id":0,"file":"a.bin","bytes":262144,"total":1048576,"percent":25,"bytesPerSecond":1048576}
 *   {"event":"done","id":0,"file":"a.bin","url":"https://...","key":"...","size":1048576,"crc32c":"..."}
 *   {"event":"error","id":0,"file":"a.bin","code":"NotFound","exitCode":7,"message":"...","hint":"..."}
 *   {"event":"note","message":"..."}
 * Every progress report of the engine (at most one per 100 ms per file) is an event.
 */
import type { DoneInfo, FailInfo, ProgressSnapshot, Streams, TransferView } from './view.js';

export class JsonView implements TransferView {
  private readonly labels = new Map<number, string>();

  constructor(private readonly streams: Streams) {}

  add(id: number, label: string, totalBytes?: number): void {
    this.labels.set(id, label);
    this.emit({ event: 'start', id, file: label, size: totalBytes });
  }

  resumed(id: number, fromBytes: number): void {
    this.emit({ event: 'resume', id, file: this.labels.get(id), fromBytes });
  }

  progress(id: number, p: ProgressSnapshot): void {
    this.emit({ event: 'progress', id, file: this.labels.get(id), bytes: p.bytesTransferred, total: p.totalBytes, percent: p.percent, bytesPerSecond: p.bytesPerSecond });
  }

  done(id: number, info: DoneInfo): void {
    this.emit({ event: 'done', id, file: this.labels.get(id), ...info });
  }

  fail(id: number, info: FailInfo): void {
    this.emit({ event: 'error', id: this.labels.has(id) ? id : undefined, file: this.labels.get(id), ...info });
  }

  /** Results are already in the done events. */
  result(): void {}

  note(text: string): void {
    this.emit({ event: 'note', message: text });
  }

  stop(): void {}

  emit(event: Record<string, unknown>): void {
    this.streams.stdout.write(JSON.stringify(event) + '\n');
  }
}
