/**
 * Exit codes: one per kind of failure a user can act on, so scripts can tell
 * "fix the URL" from "fix the credentials" from "start the server" without
 * reading messages. The table is in the README ("Exit codes").
 *
 *  code | meaning                                   | from
 *  -----|-------------------------------------------|-------------------------------------------
 *   0   | done                                      |
 *   1   | failed for another reason                 | FileXferError Unknown, Conflict, Precondition, TooLarge
 *   2   | bad usage: arguments or options           | commander, InvalidInput
 *   3   | unknown scheme or malformed store URL     | store-url parsing
 *   4   | credentials missing or refused            | no credentials found, Unauthenticated (with credentials)
 *   5   | no permission                             | PermissionDenied (with credentials), EACCES/EPERM on a local file
 *   6   | local file not found                      | ENOENT on a file to upload
 *   7   | object not found in the store             | NotFound
 *   8   | URL refused: tampered, expired, not valid | PermissionDenied / Unauthenticated / Expired on a shared URL
 *   9   | store unreachable                         | Network, Unavailable (after retries), no local server
 *  10   | the bytes do not match their checksum     | ChecksumMismatch
 * 130   | interrupted by Ctrl-C (SIGINT)            | transfers stopped and cleaned up
 * 143   | stopped by SIGTERM                        | transfers stopped and cleaned up
 */
import { isFileXferError, type FileXferErrorCode } from '@filexfer/core';

export const ExitCode = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  BAD_STORE_URL: 3,
  CREDENTIALS: 4,
  PERMISSION: 5,
  FILE_NOT_FOUND: 6,
  OBJECT_NOT_FOUND: 7,
  URL_REFUSED: 8,
  UNREACHABLE: 9,
  INTEGRITY: 10,
  INTERRUPTED: 130,
  TERMINATED: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI raises itself, with the exit code it ends with and a hint on what to do. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/**
 * Who signed the request that failed: 'credentials' when this command signed
 * it with the user's credentials (a refusal means the credentials are wrong or
 * lack a permission), 'url' when the user gave a presigned URL (a refusal means
 * the URL was changed, has expired or was never valid).
 */
export type SignedBy = 'credentials' | 'url';

const BY_CODE: Record<FileXferErrorCode, ExitCode> = {
  NotFound: ExitCode.OBJECT_NOT_FOUND,
  PermissionDenied: ExitCode.PERMISSION,
  Unauthenticated: ExitCode.CREDENTIALS,
  Precondition: ExitCode.FAILURE,
  Aborted: ExitCode.INTERRUPTED,
  ChecksumMismatch: ExitCode.INTEGRITY,
  Expired: ExitCode.URL_REFUSED,
  Network: ExitCode.UNREACHABLE,
  Unavailable: ExitCode.UNREACHABLE,
  InvalidInput: ExitCode.USAGE,
  TooLarge: ExitCode.FAILURE,
  Conflict: ExitCode.FAILURE,
  Unknown: ExitCode.FAILURE,
};

const NODE_CODES: Record<string, ExitCode> = {
  ENOENT: ExitCode.FILE_NOT_FOUND,
  EACCES: ExitCode.PERMISSION,
  EPERM: ExitCode.PERMISSION,
  EISDIR: ExitCode.USAGE,
  ENOTDIR: ExitCode.USAGE,
  ECONNREFUSED: ExitCode.UNREACHABLE,
  ENOTFOUND: ExitCode.UNREACHABLE,
  EAI_AGAIN: ExitCode.UNREACHABLE,
  ETIMEDOUT: ExitCode.UNREACHABLE,
};

export function exitCodeFor(error: unknown, signedBy: SignedBy = 'credentials'): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (isMissingCredentials(error)) return ExitCode.CREDENTIALS;
  if (isFileXferError(error)) {
    if (signedBy === 'url' && (error.code === 'PermissionDenied' || error.code === 'Unauthenticated')) return ExitCode.URL_REFUSED;
    if (error.code === 'Unknown') {
      const fromCause = nodeCodeOf(error.cause);
      if (fromCause !== undefined) return fromCause;
    }
    return BY_CODE[error.code] ?? ExitCode.FAILURE;
  }
  return nodeCodeOf(error) ?? ExitCode.FAILURE;
}

function nodeCodeOf(error: unknown): ExitCode | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? NODE_CODES[code] : undefined;
}

/**
 * The SDKs' "no credentials anywhere" errors: AWS's CredentialsProviderError,
 * google-auth-library's "Could not load the default credentials", anywhere in
 * the cause chain (adapters wrap them in a FileXferError).
 */
export function isMissingCredentials(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const name = (e as { name?: unknown }).name;
    const message = String((e as { message?: unknown }).message ?? '');
    if (name === 'CredentialsProviderError') return true;
    if (/could not load (the default )?credentials|credentials? (is|are) missing|no credentials/i.test(message)) return true;
  }
  return false;
}
