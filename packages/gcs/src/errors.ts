/**
 * Cloud Storage replies -> FileXferError codes, and the hashes GCS reports.
 * The XML API (which signed URLs use) answers
 * `<Error><Code>…</Code><Message>…</Message><Details>…</Details></Error>`;
 * the JSON API and fake-gcs-server answer `{"error":{"code":…,"message":…,"errors":[{"reason":…}]}}`.
 * https://cloud.google.com/storage/docs/xml-api/reference-status
 */
import { FileXferError, redact, type FileXferErrorCode, type StoreResponse } from '@filexfer/core';

export interface GcsErrorBody {
  code?: string;
  message?: string;
  details?: string;
}

/** Reads the error code and message from an XML or JSON error body. Never returns StringToSign / CanonicalRequest. */
export function parseErrorBody(body: string | undefined): GcsErrorBody {
  if (!body) return {};
  const text = body.trim();
  if (text.startsWith('<')) {
    const tag = (name: string) => decodeXml(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(text)?.[1]);
    return { code: tag('Code'), message: tag('Message'), details: tag('Details') };
  }
  if (text.startsWith('{')) {
    try {
      const json = JSON.parse(text) as { error?: { message?: unknown; errors?: Array<{ reason?: unknown }> } };
      const reason = json.error?.errors?.[0]?.reason;
      return {
        code: typeof reason === 'string' ? reason : undefined,
        message: typeof json.error?.message === 'string' ? json.error.message : undefined,
      };
    } catch {
      return {};
    }
  }
  return {};
}

const BY_CODE: Record<string, FileXferErrorCode> = {
  // XML API codes
  ExpiredToken: 'Expired',
  SignatureDoesNotMatch: 'Unauthenticated',
  MalformedSecurityHeader: 'Unauthenticated',
  MissingSecurityHeader: 'Unauthenticated',
  AuthenticationRequired: 'Unauthenticated',
  InvalidSecurity: 'Unauthenticated',
  AccessDenied: 'PermissionDenied',
  UserProjectAccountProblem: 'PermissionDenied',
  NoSuchBucket: 'NotFound',
  NoSuchKey: 'NotFound',
  NoSuchUpload: 'NotFound',
  BadDigest: 'ChecksumMismatch',
  InvalidDigest: 'ChecksumMismatch',
  EntityTooLarge: 'TooLarge',
  PreconditionFailed: 'Precondition',
  InvalidRange: 'Precondition',
  InvalidBucketName: 'InvalidInput',
  InvalidArgument: 'InvalidInput',
  MetadataTooLarge: 'InvalidInput',
  SlowDown: 'Unavailable',
  InternalError: 'Unavailable',
  ServiceUnavailable: 'Unavailable',
  // JSON API reasons
  notFound: 'NotFound',
  forbidden: 'PermissionDenied',
  required: 'Unauthenticated',
  authError: 'Unauthenticated',
  conditionNotMet: 'Precondition',
  rateLimitExceeded: 'Unavailable',
  backendError: 'Unavailable',
  invalid: 'InvalidInput',
};

const HINT: Partial<Record<FileXferErrorCode, string>> = {
  Expired: 'the signed URL has expired; ask for a fresh one (the engine re-signs on its own when it holds the key).',
  Unauthenticated: 'GCS refused the signature; check that the service-account key is current and that the URL was not changed.',
  PermissionDenied: 'the service account that signed the URL lacks the permission (roles/storage.objectUser on the bucket), or the URL was changed.',
  ChecksumMismatch: 'GCS computed a different checksum than the one sent: the bytes were changed on the way or the file changed while it was read. Upload it again.',
};

/**
 * Maps a GCS error reply to a code and a message fit to show. Only Code and
 * Message are used: `Details`, `StringToSign` and `CanonicalRequest` of a
 * signature error echo the signed query, so they never reach a message.
 */
export function classifyGcsError(response: StoreResponse): { code: FileXferErrorCode; message: string } | undefined {
  const body = parseErrorBody(response.bodyText);
  let code: FileXferErrorCode | undefined = body.code ? BY_CODE[body.code] : undefined;
  // An expired V4 URL: 400 ExpiredToken "Request has expired" (older replies say AccessDenied with that text).
  if (/request has expired|token has expired/i.test(`${body.message ?? ''} ${body.details ?? ''}`)) code = 'Expired';
  // fake-gcs-server's JSON message when a declared checksum does not match.
  if (!code && /doesn't match calculated|did not match/i.test(body.message ?? '')) code = 'ChecksumMismatch';
  if (!code) return undefined;
  const said = [body.code, body.message].filter(Boolean).join(': ');
  const hint = body.code === 'NoSuchBucket' ? 'the bucket does not exist; create it (gcloud storage buckets create gs://NAME) or fix the `bucket` option.' : HINT[code];
  const message = redact(`GCS answered ${response.status}${said ? ` (${said})` : ''}${hint ? `: ${hint}` : '.'}`);
  return { code, message };
}

export function gcsError(code: FileXferErrorCode, message: string, operation: string, key?: string, extra: { status?: number; cause?: unknown; retryable?: boolean } = {}): FileXferError {
  return new FileXferError(code, message, { adapter: 'gcs', operation, key, ...extra });
}

/**
 * `x-goog-hash: crc32c=AAAAAA==,md5=1B2M2Y8AsgTpgAmY7PhCfg==` (repeated headers
 * arrive joined with ", "). https://cloud.google.com/storage/docs/xml-api/reference-headers#xgooghash
 */
export function parseGoogHash(value: string | undefined): { crc32c?: string; md5?: string } {
  const out: { crc32c?: string; md5?: string } = {};
  for (const item of (value ?? '').split(',')) {
    const eq = item.indexOf('=');
    if (eq < 0) continue;
    const name = item.slice(0, eq).trim().toLowerCase();
    const v = item.slice(eq + 1).trim();
    if (name === 'crc32c' && /^[A-Za-z0-9+/]{6}==$/.test(v)) out.crc32c = v;
    if (name === 'md5' && /^[A-Za-z0-9+/]{22}==$/.test(v)) out.md5 = v;
  }
  return out;
}

/**
 * The whole-object hashes of a GET reply. GCS's x-goog-hash always covers the
 * complete stored object, also on a 206 ranged reply
 * (https://cloud.google.com/storage/docs/hashes-etags), which is what the
 * engine checks a resumed download against. Nothing is returned when GCS
 * decompressed a gzip object on the way (the hash is of the stored bytes).
 */
export function checksumsFromGcsResponse(response: StoreResponse): { crc32c?: string; md5?: string } {
  if (response.status !== 200 && response.status !== 206) return {};
  const stored = response.headers['x-goog-stored-content-encoding'];
  const sent = response.headers['content-encoding'];
  if (stored && stored !== 'identity' && stored !== sent) return {};
  return parseGoogHash(response.headers['x-goog-hash']);
}

function decodeXml(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}
