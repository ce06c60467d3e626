/**
 * mesibo's FileInfo constants, with mesibo's values, so code written against
 * mesibo maps one to one.
 * https://docs.mesibo.com/api/file-transfer/
 */

/** Which way the bytes go. */
export const FileMode = { DOWNLOAD: 0, UPLOAD: 1 } as const;
export type FileMode = (typeof FileMode)[keyof typeof FileMode];

/**
 * Where a transfer stands. mesibo has no DONE: completion is `file.isTransferred()`.
 * DONE=4 is filexfer's documented extension so that a status alone says "finished".
 * After `stopFileTransfer` the status is FAILED with `error.code === 'Aborted'`;
 * after retries run out on a passing fault (network, 5xx, an expired URL) it is
 * RETRYLATER, and a download's partial file is kept so the next start resumes.
 */
export const FileStatus = { IDLE: 0, INPROGRESS: 1, RETRYLATER: 2, FAILED: 3, DONE: 4 } as const;
export type FileStatus = (typeof FileStatus)[keyof typeof FileStatus];

export const FileType = {
  AUTO: 0,
  IMAGE: 1,
  VIDEO: 2,
  AUDIO: 3,
  LOCATION: 4,
  PROFILEIMAGE: 5,
  PROFILETHUMBNAIL: 6,
  OTHER: 10,
} as const;
export type FileType = (typeof FileType)[keyof typeof FileType];

export const FileSource = { MESSAGE: 0, PROFILE: 1, PROFILETN: 2, USERPROFILELIST: 3 } as const;
export type FileSource = (typeof FileSource)[keyof typeof FileSource];

export const KiB = 1024;
export const MiB = 1024 * KiB;
