/**
 * S3 replies -> FileXferError codes. S3 puts the reason in an XML body
 * (<Error><Code>..</Code><Message>..</Message></Error>); the HTTP status alone
 * cannot tell an expired URL from a denied one (both 403).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 *
 * Messages are built from the error code and S3's one-line <Message> only,
 * never from the rest of the body: a SignatureDoesNotMatch reply echoes the
 * access key id, the string to sign and the canonical request.
 */
import type { FileXferErrorCode, StoreResponse } from '@filexfer/core';
import { codeForStatus, FileXferError } from '@filexfer/core';

export interface S3ErrorBody {
  code?: string;
  message?: string;
  /** <BucketName>, which MinIO and S3 add to bucket errors. */
  bucket?: string;
}

/** Reads <Code> and <Message> from an S3 error body (no XML parser needed for two flat fields). */
export function parseErrorXml(body: string | undefined): S3ErrorBody {
  if (!body) return {};
  const field = (name: string): string | undefined => {
    const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(body);
    return m?.[1] === undefined ? undefined : decodeXmlText(m[1]).trim();
  };
  const out: S3ErrorBody = { code: field('Code'), message: field('Message') };
  const bucket = field('BucketName');
  if (bucket) out.bucket = bucket;
  return out;
}

function decodeXmlText(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

interface Mapping {
  code: FileXferErrorCode;
  /** What to do about it; appended to S3's own words. */
  hint: string;
}

const BY_S3_CODE: Record<string, Mapping> = {
  NoSuchBucket: { code: 'NotFound', hint: 'create the bucket, or fix `bucket` / `endpoint` / `region`.' },
  NoSuchKey: { code: 'NotFound', hint: 'there is no object under this key (deleted, never uploaded, or a typo).' },
  NoSuchVersion: { code: 'NotFound', hint: 'that object version does not exist.' },
  NoSuchUpload: { code: 'NotFound', hint: 'the multipart upload no longer exists (aborted, completed, or removed by a lifecycle rule): start the upload again.' },
  InvalidAccessKeyId: { code: 'Unauthenticated', hint: 'the store does not know this access key: check `credentials` (or AWS_ACCESS_KEY_ID / the profile) for this endpoint.' },
  SignatureDoesNotMatch: { code: 'Unauthenticated', hint: 'the signature is wrong: check the secret key, or the URL was altered after signing.' },
  AuthorizationHeaderMalformed: { code: 'Unauthenticated', hint: 'the signing region or credentials are malformed: check `region` and `credentials`.' },
  AuthorizationQueryParametersError: { code: 'Unauthenticated', hint: 'the presigned URL is malformed (expiry over 7 days, or a wrong region).' },
  InvalidToken: { code: 'Unauthenticated', hint: 'the session token is invalid: refresh the credentials.' },
  MissingSecurityHeader: { code: 'Unauthenticated', hint: 'the request lacks a required signed header.' },
  RequestTimeTooSkewed: { code: 'Unauthenticated', hint: "this machine's clock is too far from the store's: sync the clock (NTP)." },
  ExpiredToken: { code: 'Expired', hint: 'the temporary credentials expired; the request is signed again with refreshed credentials.' },
  AccessDenied: { code: 'PermissionDenied', hint: 'the credentials may not do this: check the bucket policy / IAM permissions.' },
  AllAccessDisabled: { code: 'PermissionDenied', hint: 'all access to this bucket is disabled.' },
  AccountProblem: { code: 'PermissionDenied', hint: 'the account has a problem that prevents this operation.' },
  KeyTooLongError: { code: 'InvalidInput', hint: 'S3 keys are at most 1,024 bytes of UTF-8: use a shorter key.' },
  InvalidBucketName: { code: 'InvalidInput', hint: 'not a valid bucket name: check `bucket`.' },
  InvalidObjectName: { code: 'InvalidInput', hint: 'not a valid object key for this store.' },
  XMinioInvalidObjectName: { code: 'InvalidInput', hint: 'not a valid object key for this store.' },
  InvalidArgument: { code: 'InvalidInput', hint: 'the store rejected an argument of the request.' },
  InvalidRequest: { code: 'InvalidInput', hint: 'the store rejected the request.' },
  InvalidPartNumber: { code: 'InvalidInput', hint: 'part numbers run from 1 to 10,000.' },
  InvalidPartOrder: { code: 'InvalidInput', hint: 'parts must be listed in ascending order.' },
  MalformedXML: { code: 'InvalidInput', hint: 'the store could not read the request body.' },
  MetadataTooLarge: { code: 'InvalidInput', hint: 'user metadata is limited to 2 KB: send less metadata.' },
  EntityTooSmall: { code: 'InvalidInput', hint: 'every part but the last must be at least 5 MiB.' },
  EntityTooLarge: { code: 'TooLarge', hint: 'the object or part is over S3\'s limit (5 GiB per PUT or part, 5 TiB per object).' },
  InvalidPart: { code: 'Conflict', hint: 'the parts the store holds do not match the parts listed (ETag or checksum): start the upload again.' },
  BadDigest: { code: 'ChecksumMismatch', hint: 'the bytes received do not match the checksum sent with them (corrupted in transit, or the file changed).' },
  InvalidDigest: { code: 'ChecksumMismatch', hint: 'the checksum sent is not valid for its algorithm.' },
  XAmzContentChecksumMismatch: { code: 'ChecksumMismatch', hint: 'the bytes received do not match the checksum sent with them (corrupted in transit, or the file changed).' },
  XAmzContentSHA256Mismatch: { code: 'ChecksumMismatch', hint: 'the bytes received do not match their SHA-256.' },
  InvalidRange: { code: 'Precondition', hint: 'the requested range is outside the object (it may have been replaced).' },
  PreconditionFailed: { code: 'Precondition', hint: 'the object changed (If-Match / If-None-Match failed).' },
  BucketAlreadyExists: { code: 'Conflict', hint: 'the bucket name is taken.' },
  BucketAlreadyOwnedByYou: { code: 'Conflict', hint: 'the bucket already exists.' },
  OperationAborted: { code: 'Conflict', hint: 'a conflicting operation is in progress: try again.' },
  SlowDown: { code: 'Unavailable', hint: 'the store asks to slow down: retried with backoff.' },
  ServiceUnavailable: { code: 'Unavailable', hint: 'the store is temporarily unavailable.' },
  InternalError: { code: 'Unavailable', hint: 'the store had an internal error.' },
  RequestTimeout: { code: 'Unavailable', hint: 'the store timed out waiting for the request body.' },
  XMinioServerNotInitialized: { code: 'Unavailable', hint: 'MinIO is still starting.' },
};

/**
 * Maps an S3 error code, message and status to a FileXferError code and a
 * message fit to show. `AccessDenied` with "Request has expired" is an expired
 * presigned URL (the engine signs it again and retries).
 */
export function classifyS3Error(s3Code: string | undefined, s3Message: string | undefined, status: number | undefined): { code: FileXferErrorCode; message: string } {
  const said = [s3Code, s3Message].filter(Boolean).join(': ');
  const prefix = said ? `S3 replied ${status ?? ''}${status ? ' ' : ''}${said}` : `S3 replied with status ${status ?? 'unknown'}`;
  if (s3Code === 'AccessDenied' && s3Message && /expired/i.test(s3Message)) {
    return { code: 'Expired', message: `${prefix} — the presigned URL expired; sign a new one.` };
  }
  if (s3Code === 'AccessDenied' && s3Message && /not valid yet/i.test(s3Message)) {
    return { code: 'Unauthenticated', message: `${prefix} — the URL was signed in the future: sync this machine's clock (NTP).` };
  }
  const mapping = s3Code === undefined ? undefined : BY_S3_CODE[s3Code];
  if (mapping) return { code: mapping.code, message: `${prefix} — ${mapping.hint}` };
  if (s3Code === 'NotFound' || (status === 404 && !s3Code)) {
    // HEAD replies have no body; the SDK names them after the status.
    return { code: 'NotFound', message: `${prefix} — no such object (or no such bucket).` };
  }
  return { code: status === undefined ? 'Unknown' : codeForStatus(status), message: prefix };
}

/** `StorageAdapter.classifyError`: reads the XML body of a reply to a presigned request. */
export function classifyResponse(response: StoreResponse): { code: FileXferErrorCode; message: string } | undefined {
  if (response.status < 300) return undefined;
  const { code, message, bucket } = parseErrorXml(response.bodyText);
  // MinIO names the error in a header too, which helps for HEAD (no body).
  const headerCode = response.headers['x-minio-error-code'];
  const headerMessage = response.headers['x-minio-error-desc']?.replace(/^"|"$/g, '');
  const said = bucket && code === 'NoSuchBucket' ? `${message ?? 'no such bucket'} ("${bucket}")` : (message ?? headerMessage);
  return classifyS3Error(code ?? headerCode, said, response.status);
}

interface SdkErrorLike {
  name?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
  code?: string;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'TimeoutError']);

/**
 * Turns an error the SDK threw for a control-plane call (CreateMultipartUpload,
 * ListParts, CompleteMultipartUpload, HeadObject...) into a FileXferError.
 */
export function fromSdkError(error: unknown, context: { operation: string; key?: string; bucket: string; endpoint?: string }): FileXferError {
  if (error instanceof FileXferError) return error;
  const e = (error ?? {}) as SdkErrorLike;
  const where = context.endpoint ? ` at ${context.endpoint}` : '';
  const opts = { adapter: 's3', operation: context.operation, key: context.key, cause: error };
  if ((e.name === 'AbortError' || e.code === 'ABORT_ERR')) {
    return new FileXferError('Aborted', `S3 ${context.operation} was stopped.`, { ...opts, retryable: false });
  }
  const netCode = e.code ?? e.name;
  if (netCode && NETWORK_CODES.has(netCode) && e.$metadata?.httpStatusCode === undefined) {
    return new FileXferError('Network', `Could not reach S3${where} for ${context.operation} (${netCode}): check \`endpoint\` and that the store is running.`, { ...opts });
  }
  if (typeof e.message === 'string' && /region is missing/i.test(e.message)) {
    return new FileXferError('InvalidInput', 'S3Adapter: no region: pass `region`, or set AWS_REGION.', { ...opts, retryable: false });
  }
  if (typeof e.message === 'string' && /could not load credentials/i.test(e.message)) {
    return new FileXferError('Unauthenticated', 'S3Adapter: no credentials found: pass `credentials`, or set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or an AWS profile.', { ...opts, retryable: false });
  }
  const status = e.$metadata?.httpStatusCode;
  const s3Code = e.Code ?? e.name;
  const mapped = classifyS3Error(s3Code === 'Error' || s3Code === 'UnknownError' ? undefined : s3Code, e.message, status);
  let message = `${mapped.message} (${context.operation} on bucket "${context.bucket}"${where})`;
  if (mapped.code === 'NotFound' && s3Code === 'NoSuchBucket') {
    message = `S3 bucket "${context.bucket}" does not exist${where}: create it, or fix \`bucket\` / \`endpoint\` / \`region\`. (${context.operation})`;
  }
  return new FileXferError(mapped.code, message, { ...opts, status });
}
