/** Turns any error into what the user sees: a message (never a secret), a hint, and the exit code. */
import { isFileXferError, redact } from '@filexfer/core';
import { CliError, ExitCode, exitCodeFor, type SignedBy } from './exit-codes.js';
import type { FailInfo } from './progress/view.js';
import type { Scheme } from './store-url.js';

const CREDENTIAL_HINTS: Record<Scheme, string> = {
  s3: 'Set AWS_PROFILE (or --profile), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; for MinIO and other S3-compatibles also AWS_ENDPOINT_URL (or --endpoint).',
  gs: 'Set GOOGLE_APPLICATION_CREDENTIALS to a service account key file, or pass --key-file: signed URLs need a service account key (or, on Google Cloud, a service account allowed to sign blobs). For an emulator, also STORAGE_EMULATOR_HOST.',
  az: 'Set AZURE_STORAGE_CONNECTION_STRING (or --connection-string), or AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY.',
  local: 'The local store signs with <root>/.filexfer/secret (or --secret-file / FILEXFER_LOCAL_SECRET): use the secret of the server you talk to.',
};

export interface ErrorContext {
  signedBy?: SignedBy;
  scheme?: Scheme;
}

export function describeError(error: unknown, context: ErrorContext = {}): FailInfo {
  const exitCode = exitCodeOf(error, context);
  const code = error instanceof CliError ? codeName(exitCode) : isFileXferError(error) ? error.code : nodeCode(error) ?? 'Unknown';
  const raw = error instanceof Error ? error.message : String(error);
  const hint = error instanceof CliError ? error.hint : hintFor(exitCode, context);
  return { code, exitCode, message: redact(raw), ...(hint ? { hint: redact(hint) } : {}) };
}

/**
 * exitCodeFor, plus one store-specific reading: the local store has no
 * per-user permissions, so a refused signature on a request this command
 * signed means the secret is not the server's.
 */
export function exitCodeOf(error: unknown, context: ErrorContext = {}): number {
  if (context.scheme === 'local' && context.signedBy !== 'url' && isFileXferError(error, 'PermissionDenied')) return ExitCode.CREDENTIALS;
  return exitCodeFor(error, context.signedBy);
}

function hintFor(exitCode: number, context: ErrorContext): string | undefined {
  switch (exitCode) {
    case ExitCode.CREDENTIALS:
      return context.scheme ? CREDENTIAL_HINTS[context.scheme] : undefined;
    case ExitCode.PERMISSION:
      return context.signedBy === 'credentials' ? 'The credentials work but may not do this: check the bucket or container permissions.' : undefined;
    case ExitCode.URL_REFUSED:
      return 'Ask the sender for a fresh URL (links expire, and any change to one breaks its signature).';
    case ExitCode.UNREACHABLE:
      return context.scheme === 'local' || context.signedBy === 'url'
        ? 'Check that the server is running and reachable from here.'
        : 'Check the network and the endpoint (--endpoint, or the SDK environment such as AWS_ENDPOINT_URL).';
    default:
      return undefined;
  }
}

function nodeCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function codeName(exitCode: number): string {
  const entry = Object.entries(ExitCode).find(([, value]) => value === exitCode);
  return entry ? entry[0] : 'FAILURE';
}
