/**
 * TransferManager: mesibo's file-transfer API (getFileInstance,
 * startFileTransfer, stopFileTransfer, updateFileTransferProgress...) and a
 * promise API (upload, download) on the same machinery. One per application.
 */
import { randomUUID } from 'node:crypto';
import { basename, resolve as resolvePath } from 'node:path';
import type { Checksums, UploadState } from './adapter.js';
import { FileMode, FileStatus, type FileSource, type FileType } from './constants.js';
import { runDownload } from './engine/download.js';
import { ProgressMeter, type TransferProgress } from './engine/progress.js';
import { FileByteSource } from './engine/source.js';
import { NodeHttpTransport, type Transport } from './engine/transport.js';
import { runUpload } from './engine/upload.js';
import { abortedError, FileXferError, redact } from './errors.js';
import { FileInfo, type FileTransferListener } from './file-info.js';
import type { FileTransferHandler } from './handler.js';
import { Limiter } from './limiter.js';
import { resolveOptions, type ResolvedOptions, type TransferManagerOptions } from './options.js';

export interface Progress extends TransferProgress {
  file: FileInfo;
}

export interface TransferOptions {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

export interface UploadOptions extends TransferOptions {
  /** Object key; default `<random uuid>/<file name>`, so names never collide and URLs cannot be guessed. */
  key?: string;
  contentType?: string;
  metadata?: Record<string, string>;
  partSize?: number;
  partConcurrency?: number;
}

export interface DownloadOptions extends TransferOptions {
  /** Checksums the sender reported; the download fails (and writes nothing) if the bytes differ. */
  checksum?: Partial<Checksums>;
  /** Size the sender reported. */
  size?: number;
}

export interface FileInstanceOptions {
  mode: FileMode;
  params?: Record<string, unknown>;
  mid?: number | string;
  type?: FileType;
  source?: FileSource;
  /** The file to upload, or where a download goes. */
  path: string;
  /** The URL to download from (downloads). */
  url?: string;
  /** Object key for an upload. */
  key?: string;
  mimeType?: string;
  title?: string;
  message?: string;
  listener?: FileTransferListener;
}

interface JobSettings extends UploadOptions, DownloadOptions {
  resumeState?: UploadState;
}

export class TransferManager {
  private readonly options: ResolvedOptions;
  private readonly transport: Transport;
  private handler: FileTransferHandler | undefined;
  private readonly limiter: Limiter;
  private readonly running = new Map<string, FileInfo>();
  private readonly controllers = new WeakMap<FileInfo, AbortController>();
  private readonly settings = new WeakMap<FileInfo, JobSettings>();
  private closed = false;

  constructor(options: TransferManagerOptions) {
    this.options = resolveOptions(options);
    this.transport = this.options.transport ?? new NodeHttpTransport({ maxSockets: this.options.maxConcurrentTransfers * this.options.partConcurrency + 4 });
    this.limiter = new Limiter(this.options.maxConcurrentTransfers);
    this.handler = this.options.handler ?? this.presignedHandler();
  }

  /** The store behind the presigned handler. */
  get adapter() {
    return this.options.adapter;
  }

  // ---- mesibo's API -------------------------------------------------------

  /**
   * A FileInfo for one transfer, or the one already running for the same
   * upload path or download URL (so two taps on "send" move the bytes once).
   * mesibo's positional form, or one options object.
   */
  getFileInstance(options: FileInstanceOptions): FileInfo;
  getFileInstance(
    params: Record<string, unknown> | undefined,
    mid: number | string,
    mode: FileMode,
    type: FileType,
    source: FileSource,
    filePath: string,
    url: string | undefined,
    listener?: FileTransferListener,
  ): FileInfo;
  getFileInstance(...args: unknown[]): FileInfo {
    const init = args.length === 1 && typeof args[0] === 'object' && args[0] !== null && 'mode' in (args[0] as object)
      ? (args[0] as FileInstanceOptions)
      : positional(args);
    if (init.mode !== FileMode.UPLOAD && init.mode !== FileMode.DOWNLOAD) {
      throw new FileXferError('InvalidInput', `mode must be FileMode.UPLOAD (1) or FileMode.DOWNLOAD (0), got ${String(init.mode)}.`);
    }
    if (!init.path) throw new FileXferError('InvalidInput', 'A file path is needed: the file to upload, or where to save a download.');
    if (init.mode === FileMode.DOWNLOAD && !init.url) throw new FileXferError('InvalidInput', 'A download needs the URL the sender shared.');
    const path = resolvePath(init.path);
    const existing = this.running.get(dedupKey(init.mode, path, init.url));
    if (existing && existing.isRunning()) {
      if (init.listener && !existing.getListener()) existing.setListener(init.listener);
      return existing;
    }
    return new FileInfo({
      ...init,
      path,
      key: init.mode === FileMode.UPLOAD ? (init.key ?? `${randomUUID()}/${basename(path)}`) : init.key,
    });
  }

  /** Starts (or restarts after a failure) a transfer; true when it runs or already ran. */
  startFileTransfer(file: FileInfo): boolean {
    if (!this.isFileTransferEnabled()) return false;
    if (file.isRunning()) return true;
    if (file.isTransferred()) return true;
    const key = dedupKey(file.mode, file.path, file.url);
    const other = this.running.get(key);
    if (other && other !== file && other.isRunning()) return false;
    file._update({ status: FileStatus.INPROGRESS, progress: 0, bytesTransferred: 0 });
    this.running.set(key, file);
    const started = this.handler!.onStartFileTransfer(file);
    if (!started) this.fail(file, new FileXferError('InvalidInput', 'The file transfer handler refused to start this transfer.'));
    return started;
  }

  /**
   * Stops a running transfer: in-flight requests are aborted, the store-side
   * session is aborted, a download's partial file is removed. The file ends
   * FAILED with error code 'Aborted' and progress -1; `done()` rejects once the
   * clean-up has finished.
   */
  stopFileTransfer(file: FileInfo): boolean {
    if (!file.isRunning() || !this.handler) return false;
    return this.handler.onStopFileTransfer(file);
  }

  /** Called by a handler: updates the file and tells its listener. False for a file that is not running. */
  updateFileTransferProgress(file: FileInfo, progress: number, status: FileStatus): boolean {
    if (!file.isRunning()) return false;
    if (status === FileStatus.DONE) {
      this.settle(file);
      file._update({ status, progress: 100, bytesTransferred: file.size });
      return true;
    }
    if (status === FileStatus.FAILED || status === FileStatus.RETRYLATER) {
      this.settle(file);
      file._update({ status, progress: -1, error: file.error ?? new FileXferError('Unknown', 'The file transfer handler reported a failure.') });
      return true;
    }
    file._update({ status, progress: Math.max(file.progress, Math.min(100, Math.floor(progress))) });
    return true;
  }

  isFileTransferEnabled(): boolean {
    return !this.closed && this.handler !== undefined;
  }

  setFileTransferHandler(handler: FileTransferHandler | undefined): void {
    this.handler = handler;
  }

  // ---- the promise API ----------------------------------------------------

  /** Uploads a file; resolves with its FileInfo (key, url to share, checksum) once the store confirmed it. */
  upload(path: string, options: UploadOptions = {}): Promise<FileInfo> {
    const file = this.getFileInstance({ mode: FileMode.UPLOAD, path, key: options.key, mimeType: options.contentType });
    return this.runPromise(file, options);
  }

  /** Continues a parts upload from `file.uploadState` saved by an earlier run; only missing parts are sent. */
  resumeUpload(path: string, state: UploadState, options: Omit<UploadOptions, 'key'> = {}): Promise<FileInfo> {
    const file = this.getFileInstance({ mode: FileMode.UPLOAD, path, key: state.key, mimeType: options.contentType });
    return this.runPromise(file, { ...options, resumeState: state });
  }

  /** Downloads a shared URL to `destPath` (written whole or not at all); resumes a partial file from an earlier failure. */
  download(url: string, destPath: string, options: DownloadOptions = {}): Promise<FileInfo> {
    const file = this.getFileInstance({ mode: FileMode.DOWNLOAD, path: destPath, url });
    return this.runPromise(file, options);
  }

  /** Stops every transfer and releases sockets (and the adapter's, if it has any). */
  async close(): Promise<void> {
    this.closed = true;
    const files = [...this.running.values()];
    for (const file of files) this.controllers.get(file)?.abort();
    await Promise.allSettled(files.map((f) => f.done()));
    this.transport.close?.();
  }

  private runPromise(file: FileInfo, settings: JobSettings): Promise<FileInfo> {
    if (file.isRunning()) return file.done();
    this.settings.set(file, settings);
    if (settings.signal) {
      if (settings.signal.aborted) return Promise.reject(abortedError());
      settings.signal.addEventListener('abort', () => this.stopFileTransfer(file), { once: true });
    }
    if (!this.startFileTransfer(file)) {
      return Promise.reject(new FileXferError('InvalidInput', 'File transfer is disabled: the manager is closed or has no handler.'));
    }
    return file.done();
  }

  // ---- the presigned handler: the engine behind mesibo's API -------------------

  private presignedHandler(): FileTransferHandler {
    return {
      onStartFileTransfer: (file) => {
        const controller = new AbortController();
        this.controllers.set(file, controller);
        void this.run(file, controller.signal);
        return true;
      },
      onStopFileTransfer: (file) => {
        const controller = this.controllers.get(file);
        if (!controller) return false;
        controller.abort();
        return true;
      },
    };
  }

  private async run(file: FileInfo, signal: AbortSignal): Promise<void> {
    const settings = this.settings.get(file) ?? {};
    this.settings.delete(file);
    const adapter = this.options.adapter;
    let release: (() => void) | undefined;
    let source: FileByteSource | undefined;
    const report = (p: TransferProgress) => {
      file._update({ bytesTransferred: p.bytesTransferred });
      settings.onProgress?.({ ...p, file });
      if (p.percent < 100) this.updateFileTransferProgress(file, p.percent, FileStatus.INPROGRESS);
    };
    try {
      if (!adapter) throw new FileXferError('InvalidInput', 'No adapter: the presigned handler needs `new TransferManager({ adapter })`.');
      release = await this.limiter.acquire(signal);
      if (file.mode === FileMode.UPLOAD) {
        source = await FileByteSource.open(file.path);
        file.size = source.size;
        const result = await runUpload({
          adapter,
          transport: this.transport,
          source,
          key: file.key,
          contentType: file.mimeType || undefined,
          metadata: settings.metadata,
          expiresIn: this.options.expiresIn,
          partSize: settings.partSize ?? this.options.partSize,
          partConcurrency: settings.partConcurrency ?? this.options.partConcurrency,
          retry: this.options.retry,
          signal,
          meter: new ProgressMeter(source.size, this.options.progressIntervalMs, report),
          resumeState: settings.resumeState,
          onState: (state) => (file.uploadState = state),
        });
        file.checksum = result.checksums;
        file.url = await adapter.presignDownload(file.key, { expiresIn: this.options.downloadUrlExpiresIn });
      } else {
        const result = await runDownload({
          adapter,
          transport: this.transport,
          url: file.url,
          destPath: file.path,
          expected: settings.checksum,
          expectedSize: settings.size,
          retry: this.options.retry,
          signal,
          progressIntervalMs: this.options.progressIntervalMs,
          onProgress: report,
        });
        file.size = result.size;
        file.checksum = result.checksums;
      }
      if (signal.aborted) throw abortedError();
      this.updateFileTransferProgress(file, 100, FileStatus.DONE);
    } catch (error) {
      this.fail(file, error, signal.aborted);
    } finally {
      release?.();
      await source?.close();
      this.controllers.delete(file);
    }
  }

  private fail(file: FileInfo, error: unknown, aborted = false): void {
    const err = aborted ? abortedError({ operation: modeName(file), key: file.key || undefined, cause: error }) : toFileXferError(error, file);
    const status = err.code !== 'Aborted' && err.retryable ? FileStatus.RETRYLATER : FileStatus.FAILED;
    this.settle(file);
    file._update({ status, progress: -1, error: err });
  }

  private settle(file: FileInfo): void {
    const key = dedupKey(file.mode, file.path, file.url);
    if (this.running.get(key) === file) this.running.delete(key);
  }
}

function dedupKey(mode: FileMode, path: string, url: string | undefined): string {
  return mode === FileMode.UPLOAD ? `up:${path}` : `down:${url}`;
}

function modeName(file: FileInfo): string {
  return file.mode === FileMode.UPLOAD ? 'upload' : 'download';
}

function toFileXferError(error: unknown, file: FileInfo): FileXferError {
  if (error instanceof FileXferError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new FileXferError('Unknown', `The ${modeName(file)} failed: ${redact(message)}`, { operation: modeName(file), key: file.key || undefined, cause: error });
}

function positional(args: unknown[]): FileInstanceOptions {
  const [params, mid, mode, type, source, filePath, url, listener] = args as [
    Record<string, unknown> | undefined,
    number | string,
    FileMode,
    FileType,
    FileSource,
    string,
    string | undefined,
    FileTransferListener | undefined,
  ];
  return { params, mid, mode, type, source, path: filePath, url: url || undefined, listener };
}
