/**
 * mesibo's FileTransferHandler: the manager asks it to start and stop
 * transfers, and it reports back through `updateFileTransferProgress`.
 * `new TransferManager({ adapter })` installs the presigned handler (the
 * engine in this package); an application may install its own.
 */
import type { FileInfo } from './file-info.js';

export interface FileTransferHandler {
  /** Start moving `file`'s bytes; return false to refuse (the file fails with InvalidInput). */
  onStartFileTransfer(file: FileInfo): boolean;
  /** Stop a running transfer; return false if there was nothing to stop. */
  onStopFileTransfer(file: FileInfo): boolean;
}
