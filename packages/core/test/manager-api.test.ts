import { FileInfo, FileMode, FileSource, FileStatus, FileType, TransferManager, type FileTransferHandler } from '../src/index.js';

test('constants keep mesibo values', () => {
  expect(FileMode).toEqual({ DOWNLOAD: 0, UPLOAD: 1 });
  expect(FileStatus).toMatchObject({ IDLE: 0, INPROGRESS: 1, RETRYLATER: 2, FAILED: 3 });
  expect(FileType).toEqual({ AUTO: 0, IMAGE: 1, VIDEO: 2, AUDIO: 3, LOCATION: 4, PROFILEIMAGE: 5, PROFILETHUMBNAIL: 6, OTHER: 10 });
  expect(FileSource).toEqual({ MESSAGE: 0, PROFILE: 1, PROFILETN: 2, USERPROFILELIST: 3 });
});

/** An application's own handler, as in mesibo: it moves the bytes and reports through updateFileTransferProgress. */
function appHandler(manager: () => TransferManager, log: string[]): FileTransferHandler {
  return {
    onStartFileTransfer: (file) => {
      log.push(`start ${file.mid}`);
      setTimeout(() => {
        manager().updateFileTransferProgress(file, 40, FileStatus.INPROGRESS);
        manager().updateFileTransferProgress(file, 30, FileStatus.INPROGRESS); // late, lower report: ignored
        manager().updateFileTransferProgress(file, 100, FileStatus.DONE);
      }, 5);
      return true;
    },
    onStopFileTransfer: (file) => {
      log.push(`stop ${file.mid}`);
      return manager().updateFileTransferProgress(file, -1, FileStatus.FAILED);
    },
  };
}

test('a custom handler drives the file through updateFileTransferProgress, and the listener sees each step', async () => {
  const log: string[] = [];
  const m: TransferManager = new TransferManager({ handler: appHandler(() => m, log) });
  expect(m.isFileTransferEnabled()).toBe(true);
  const progress: Array<[number, number]> = [];
  const file = m.getFileInstance({ photo: true }, 42, FileMode.UPLOAD, FileType.IMAGE, FileSource.MESSAGE, '/tmp/x.jpg', undefined, {
    onFileTransferProgress: (f) => void progress.push([f.status, f.progress]),
  });
  expect(file).toBeInstanceOf(FileInfo);
  expect(file.params).toEqual({ photo: true });
  expect(file.key).toMatch(/^[0-9a-f-]{36}\/x\.jpg$/);
  expect(m.startFileTransfer(file)).toBe(true);
  await file.done();
  expect(log).toEqual(['start 42']);
  expect(progress).toEqual([[1, 0], [1, 40], [1, 40], [4, 100]]);
  expect(file.isTransferred()).toBe(true);
  expect(m.updateFileTransferProgress(file, 50, FileStatus.INPROGRESS)).toBe(false);
});

test('stop through a custom handler fails the file; done() rejects', async () => {
  const log: string[] = [];
  const m: TransferManager = new TransferManager({ handler: { ...appHandler(() => m, log), onStartFileTransfer: () => true } });
  const file = m.getFileInstance({ mode: FileMode.UPLOAD, path: '/tmp/y.bin', mid: 7 });
  m.startFileTransfer(file);
  expect(m.stopFileTransfer(file)).toBe(true);
  await expect(file.done()).rejects.toBeDefined();
  expect(file.status).toBe(FileStatus.FAILED);
  expect(log).toEqual(['stop 7']);
});

test('setFileTransferHandler(undefined) disables transfers; closed managers refuse', async () => {
  const m = new TransferManager({ handler: { onStartFileTransfer: () => true, onStopFileTransfer: () => true } });
  m.setFileTransferHandler(undefined);
  expect(m.isFileTransferEnabled()).toBe(false);
  expect(m.startFileTransfer(m.getFileInstance({ mode: 1, path: '/tmp/z' }))).toBe(false);
  await expect(m.upload('/tmp/z')).rejects.toMatchObject({ code: 'InvalidInput' });
});

test('options and inputs are checked with messages that say what to do', () => {
  expect(() => new TransferManager({})).toThrow(/needs an adapter/);
  expect(() => new TransferManager({ handler: { onStartFileTransfer: () => true, onStopFileTransfer: () => true }, partSize: 0 })).toThrow(/partSize must be a whole number above 0/);
  const m = new TransferManager({ handler: { onStartFileTransfer: () => true, onStopFileTransfer: () => true } });
  expect(() => m.getFileInstance({ mode: FileMode.DOWNLOAD, path: '/tmp/a' })).toThrow(/needs the URL/);
  expect(() => m.getFileInstance({ mode: 5 as never, path: '/tmp/a' })).toThrow(/mode must be/);
});

test("FileInfo.toJSON never carries the URL's signature", () => {
  const file = new FileInfo({ mode: FileMode.DOWNLOAD, url: 'https://h/k?X-Amz-Signature=secret', path: '/tmp/a' });
  expect(JSON.stringify(file)).not.toContain('secret');
});
