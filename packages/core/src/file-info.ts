/**
 * mesibo's FileInfo: one file in one transfer, with its message fields, its
 * live status and a `done()` promise for code that prefers to await.
 * https://docs.mesibo.com/api/file-transfer/
 */
import type { Checksums, UploadState } from './adapter.js';
import { FileMode, FileSource, FileStatus, FileType } from './constants.js';
import type { FileXferError } from './errors.js';

export interface FileTransferListener {
  /** Called on every progress step and status change. mesibo's listeners return a boolean; it is ignored here. */
  onFileTransferProgress(file: FileInfo): boolean | void;
}

export interface FileInfoInit {
  mode: FileMode;
  params?: Record<string, unknown>;
  mid?: number | string;
  type?: FileType;
  source?: FileSource;
  path?: string;
  url?: string;
  key?: string;
  size?: number;
  mimeType?: string;
  title?: string;
  message?: string;
  listener?: FileTransferListener;
}

interface Deferred {
  promise: Promise<FileInfo>;
  resolve: (file: FileInfo) => void;
  reject: (error: unknown) => void;
}

export class FileInfo {
  mid: number | string;
  mode: FileMode;
  type: FileType;
  source: FileSource;
  params: Record<string, unknown>;
  /** Local path: the file to upload, or where a download goes. */
  path: string;
  /** The download URL: given for downloads; set once an upload completes. */
  url: string;
  size: number;
  mimeType: string;
  title: string;
  message: string;
  /** A small preview (e.g. a JPEG) sent with the message; never transferred by the engine. */
  thumbnail?: Uint8Array;
  lat = 0;
  lon = 0;
  /** mesibo: true when a user asked for this transfer (vs. an automatic one). */
  userInteraction = false;
  /** The object key in the store, known before an upload starts. */
  key: string;
  /** Whole-object checksums, once the bytes are confirmed. */
  checksum?: Checksums;
  /** The upload session's resume state while a parts upload runs. */
  uploadState?: UploadState;

  #status: FileStatus = FileStatus.IDLE;
  #progress = 0;
  #bytesTransferred = 0;
  #error?: FileXferError;
  #listener?: FileTransferListener;
  #deferred: Deferred;

  constructor(init: FileInfoInit) {
    this.mode = init.mode;
    this.mid = init.mid ?? 0;
    this.type = init.type ?? FileType.AUTO;
    this.source = init.source ?? FileSource.MESSAGE;
    this.params = init.params ?? {};
    this.path = init.path ?? '';
    this.url = init.url ?? '';
    this.key = init.key ?? '';
    this.size = init.size ?? 0;
    this.mimeType = init.mimeType ?? '';
    this.title = init.title ?? '';
    this.message = init.message ?? '';
    this.#listener = init.listener;
    this.#deferred = deferred();
  }

  get status(): FileStatus {
    return this.#status;
  }
  /** Whole percent 0..100; -1 once the transfer failed or was stopped. */
  get progress(): number {
    return this.#progress;
  }
  get bytesTransferred(): number {
    return this.#bytesTransferred;
  }
  get error(): FileXferError | undefined {
    return this.#error;
  }
  isTransferred(): boolean {
    return this.#status === FileStatus.DONE;
  }
  /** True while a transfer of this file is queued or moving. */
  isRunning(): boolean {
    return this.#status === FileStatus.INPROGRESS;
  }
  setListener(listener: FileTransferListener | undefined): void {
    this.#listener = listener;
  }
  getListener(): FileTransferListener | undefined {
    return this.#listener;
  }
  /** Resolves when this transfer completes; rejects with its FileXferError on failure or stop. */
  done(): Promise<FileInfo> {
    return this.#deferred.promise;
  }

  /** Internal: the manager's one way to move the state. Not for applications. */
  _update(update: { status?: FileStatus; progress?: number; bytesTransferred?: number; error?: FileXferError }): void {
    if (update.status === FileStatus.INPROGRESS && this.#status !== FileStatus.INPROGRESS && this.#status !== FileStatus.IDLE) {
      // A restart after a failure: a fresh promise for the new attempt.
      this.#deferred = deferred();
      this.#error = undefined;
    }
    if (update.status !== undefined) this.#status = update.status;
    if (update.progress !== undefined) this.#progress = update.progress;
    if (update.bytesTransferred !== undefined) this.#bytesTransferred = update.bytesTransferred;
    if (update.error !== undefined) this.#error = update.error;
    if (this.#status === FileStatus.DONE) this.#deferred.resolve(this);
    if ((this.#status === FileStatus.FAILED || this.#status === FileStatus.RETRYLATER) && this.#error) this.#deferred.reject(this.#error);
    this.#listener?.onFileTransferProgress(this);
  }

  toJSON(): Record<string, unknown> {
    return {
      mid: this.mid,
      mode: this.mode,
      type: this.type,
      source: this.source,
      path: this.path,
      url: this.url ? '<url>' : '',
      key: this.key,
      size: this.size,
      mimeType: this.mimeType,
      title: this.title,
      status: this.#status,
      progress: this.#progress,
      bytesTransferred: this.#bytesTransferred,
      checksum: this.checksum,
      error: this.#error?.toJSON(),
    };
  }
}

function deferred(): Deferred {
  let resolve!: (file: FileInfo) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<FileInfo>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // An application that never awaits done() must not crash on an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
