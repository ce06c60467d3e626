/**
 * Azure Blob error replies -> FileXferError codes and messages fit to show.
 *
 * Azure names the error in the `x-ms-error-code` header (present even on HEAD
 * replies, which have no body) and in `<Code>` of the XML body
 * (https://learn.microsoft.com/en-us/rest/api/storageservices/blob-service-error-codes).
 *
 * An expired SAS: Azure answers 403 `AuthenticationFailed` with an
 * `AuthenticationErrorDetail` such as "Signed expiry time [...] must be after
 * signed start time [...]" or "Signature not valid in the specified time frame".
 * Azurite answers 403 `AuthorizationFailure` with no detail, the same reply as
 * for a bad signature; there the only way to tell is the request itself: its
 * `se=` (signed expiry) against the reply's `Date`. So `classify` takes the
 * request's URL when the caller has it.
 */
import { FileXferError, codeForStatus, type FileXferErrorCode, type StoreResponse } from '@filexfer/core';

export interface Classified {
  code: FileXferErrorCode;
  message: string;
}

export interface ErrorContext {
  container: string;
  accountName: string;
  /** The URL of the request that got this reply, when known (for the expiry check). */
  url?: string;
}

interface Parsed {
  status: number;
  errorCode?: string;
  storeMessage?: string;
  authDetail?: string;
  date?: string;
}

function tag(body: string | undefined, name: string): string | undefined {
  if (!body) return undefined;
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(body);
  return m?.[1]?.trim();
}

/** Reads an Azure error reply as the engine hands it over. */
export function parseResponse(response: StoreResponse): Parsed {
  return {
    status: response.status,
    errorCode: response.headers['x-ms-error-code'] ?? tag(response.bodyText, 'Code'),
    storeMessage: tag(response.bodyText, 'Message'),
    authDetail: tag(response.bodyText, 'AuthenticationErrorDetail'),
    date: response.headers['date'],
  };
}

const EXPIRED_DETAIL = /signed expiry time|not valid in the specified time frame|has expired|is expired/i;

/** True when the SAS in `url` had expired by `date` (the store's clock), or by now without a date. */
export function sasExpiredAt(url: string | undefined, date: string | undefined): boolean {
  if (!url) return false;
  let se: string | null;
  try {
    se = new URL(url).searchParams.get('se');
  } catch {
    return false;
  }
  if (!se) return false;
  const expiry = Date.parse(se);
  const at = date ? Date.parse(date) : Date.now();
  // The store's Date header has one-second resolution, like `se`.
  return Number.isFinite(expiry) && Number.isFinite(at) && expiry <= at;
}

/** The store's own words (first line, no request id), for the end of our message. */
function storeWords(p: Parsed): string {
  const first = p.storeMessage?.split('\n')[0]?.trim();
  return p.errorCode ? ` (Azure: ${p.errorCode}${first ? `: ${first}` : ''})` : '';
}

/**
 * Maps one Azure error reply to a code and a message. Returns undefined for
 * replies it has nothing to add to (core's HTTP status mapping applies).
 */
export function classifyParsed(p: Parsed, ctx: ErrorContext): Classified | undefined {
  const code = p.errorCode;
  const tail = storeWords(p);
  switch (code) {
    case 'ContainerNotFound':
      return {
        code: 'NotFound',
        message: `Container "${ctx.container}" does not exist in storage account "${ctx.accountName}": create it (az storage container create --name ${ctx.container}) or fix the container option${tail}.`,
      };
    case 'BlobNotFound':
    case 'ResourceNotFound':
      return { code: 'NotFound', message: `No such blob in container "${ctx.container}": it was deleted, never uploaded, or its upload was not committed${tail}.` };
    case 'AuthenticationFailed':
    case 'AuthorizationFailure':
      if ((p.authDetail && EXPIRED_DETAIL.test(p.authDetail)) || (p.status === 403 && sasExpiredAt(ctx.url, p.date))) {
        return { code: 'Expired', message: `The SAS URL has expired: issue a new one (uploads re-issue theirs automatically)${tail}.` };
      }
      if (code === 'AuthorizationFailure' && p.storeMessage !== undefined && !/signature/i.test(p.storeMessage)) {
        // Real Azure uses AuthorizationFailure for firewall / network rules, not for signatures.
        return { code: 'PermissionDenied', message: `Azure refused the request: the account's network rules or policies do not allow it from here${tail}.` };
      }
      if (p.storeMessage === undefined && p.authDetail === undefined) {
        // A HEAD reply has no body to tell a bad signature from a network rule.
        return {
          code: 'Unauthenticated',
          message: `Azure refused the request's authorization: check the account key of storage account "${ctx.accountName}" (accountKey / connectionString), that the URL was not altered or expired, and the account's network rules${tail}.`,
        };
      }
      return {
        code: 'Unauthenticated',
        message: `Azure could not verify the signature: the account key does not belong to storage account "${ctx.accountName}" (check accountKey / connectionString), or the URL was altered${tail}.`,
      };
    case 'AuthorizationPermissionMismatch':
    case 'AuthorizationResourceTypeMismatch':
    case 'AuthorizationServiceMismatch':
      return {
        code: 'PermissionDenied',
        message: `The SAS does not grant what this request needs (uploads need create+write, downloads need read); use a URL issued for this operation, and with a token credential check the identity has "Storage Blob Data Contributor"${tail}.`,
      };
    case 'AuthorizationSourceIPMismatch':
    case 'AuthorizationProtocolMismatch':
    case 'InsufficientAccountPermissions':
    case 'AccountIsDisabled':
      return { code: 'PermissionDenied', message: `Azure refused the request${tail}.` };
    case 'Md5Mismatch':
    case 'Crc64Mismatch':
      return { code: 'ChecksumMismatch', message: `The bytes Azure received do not match their checksum: they were corrupted on the way${tail}.` };
    case 'InvalidOperation':
      // Azurite's reply to a bad Content-MD5: "Provided contentMD5 doesn't match."
      if (/md5/i.test(p.storeMessage ?? '')) {
        return { code: 'ChecksumMismatch', message: `The bytes Azure received do not match their Content-MD5: they were corrupted on the way${tail}.` };
      }
      return undefined;
    case 'InvalidBlockList':
      return {
        code: 'Precondition',
        message: `Azure does not hold every block of this upload (uncommitted blocks are dropped after 7 days, or when another upload to the same key commits first): start the upload again${tail}.`,
      };
    case 'InvalidBlobOrBlock':
    case 'InvalidBlockId':
      return {
        code: 'Conflict',
        message: `Azure refused a block: the blob holds uncommitted blocks with ids of another length (left by a different uploader); wait for them to expire (7 days) or upload to another key${tail}.`,
      };
    case 'ConditionNotMet':
    case 'TargetConditionNotMet':
      return { code: 'Precondition', message: `The blob changed since this transfer started (its ETag no longer matches): start again${tail}.` };
    case 'InvalidRange':
      return { code: 'Precondition', message: `The requested byte range is outside the blob${tail}.` };
    case 'RequestBodyTooLarge':
    case 'BlockCountExceedsLimit':
    case 'BlockListTooLong':
      return { code: 'TooLarge', message: `The request is larger than Azure accepts${tail}.` };
    case 'BlobAlreadyExists':
    case 'LeaseIdMissing':
    case 'LeaseAlreadyPresent':
    case 'BlobArchived':
      return { code: 'Conflict', message: `The blob is not in a state that allows this${tail}.` };
    case 'ServerBusy':
    case 'InternalError':
    case 'OperationTimedOut':
      return { code: 'Unavailable', message: `Azure is busy or failed internally; the request can be retried${tail}.` };
    case 'InvalidResourceName':
    case 'InvalidUri':
    case 'InvalidHeaderValue':
    case 'InvalidQueryParameterValue':
    case 'MissingRequiredHeader':
    case 'InvalidMd5':
      return { code: 'InvalidInput', message: `Azure refused the request as malformed${tail}.` };
    default:
      return undefined;
  }
}

/** Adapter-facing: classify an engine-side reply. */
export function classifyResponse(response: StoreResponse, ctx: ErrorContext): Classified | undefined {
  return classifyParsed(parseResponse(response), ctx);
}

interface RestErrorLike {
  statusCode?: number;
  code?: string;
  message?: string;
  details?: { errorCode?: string; message?: string; authenticationErrorDetail?: string; AuthenticationErrorDetail?: string };
  response?: { headers?: { get(name: string): string | undefined } };
}

/** Turns an error thrown by `@azure/storage-blob` (RestError) or by the network into a FileXferError. */
export function fromSdkError(error: unknown, operation: string, key: string | undefined, ctx: ErrorContext): FileXferError {
  if (error instanceof FileXferError) return error;
  const e = (error ?? {}) as RestErrorLike;
  const options = { adapter: 'azure', operation, key, status: e.statusCode, cause: error };
  if (typeof e.statusCode !== 'number' || e.statusCode === 0) {
    const name = (error as Error | undefined)?.name;
    if (name === 'AbortError') return new FileXferError('Aborted', 'The request was stopped before it finished.', { ...options, retryable: false });
    return new FileXferError('Network', `Could not reach Azure Blob Storage: ${(error as Error | undefined)?.message ?? String(error)}`, options);
  }
  const parsed: Parsed = {
    status: e.statusCode,
    errorCode: e.details?.errorCode ?? e.response?.headers?.get('x-ms-error-code') ?? e.code,
    storeMessage: e.details?.message,
    authDetail: e.details?.authenticationErrorDetail ?? e.details?.AuthenticationErrorDetail,
    date: e.response?.headers?.get('date'),
  };
  const classified = classifyParsed(parsed, ctx);
  if (classified) return new FileXferError(classified.code, classified.message, options);
  return new FileXferError(codeForStatus(e.statusCode), `Azure answered ${e.statusCode}${storeWords(parsed)}.`, options);
}
