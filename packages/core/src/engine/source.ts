/**
 * Where upload bytes come from: byte ranges read on demand, so memory holds
 * only the parts in flight. A browser build supplies a Blob.slice source.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { FileXferError } from '../errors.js';

export interface ByteSource {
  readonly size: number;
  /**
   * Reads exactly `length` bytes at `offset`, or fails with InvalidInput if the
   * source changed. With `into` (at least `length` bytes) the bytes land there
   * and a view of it is returned, so a worker can reuse one buffer for every part.
   */
  read(offset: number, length: number, into?: Buffer): Promise<Buffer>;
  close(): Promise<void>;
}

export class FileByteSource implements ByteSource {
  private constructor(
    private readonly handle: FileHandle,
    readonly size: number,
    private readonly path: string,
  ) {}

  static async open(path: string): Promise<FileByteSource> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ENOENT') throw new FileXferError('InvalidInput', `No file at ${path}: check the path.`, { operation: 'upload', cause: error });
      if (code === 'EACCES' || code === 'EPERM') throw new FileXferError('PermissionDenied', `Cannot read ${path}: permission denied.`, { operation: 'upload', cause: error });
      if (code === 'EISDIR') throw new FileXferError('InvalidInput', `${path} is a folder; upload the files in it one by one.`, { operation: 'upload', cause: error });
      throw new FileXferError('InvalidInput', `Cannot open ${path}: ${code ?? String(error)}.`, { operation: 'upload', cause: error });
    }
    const stats = await handle.stat();
    if (!stats.isFile()) {
      await handle.close();
      throw new FileXferError('InvalidInput', `${path} is not a regular file; upload the files in it one by one.`, { operation: 'upload' });
    }
    return new FileByteSource(handle, stats.size, path);
  }

  async read(offset: number, length: number, into?: Buffer): Promise<Buffer> {
    const buffer = into && into.length >= length ? into.subarray(0, length) : Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await this.handle.read(buffer, filled, length - filled, offset + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    const stats = await this.handle.stat();
    if (filled < length || stats.size !== this.size) {
      throw new FileXferError(
        'InvalidInput',
        `${this.path} changed size while uploading (${this.size} bytes at the start, ${stats.size} now). Upload it again once nothing is writing to it.`,
        { operation: 'upload', retryable: false },
      );
    }
    return buffer;
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}
