/**
 * The adapter behind `filexfer download <https-url>`: the URL is already
 * signed, so nothing here signs. It only reads error replies and checksum
 * headers of whichever store made the URL, so a shared link gets the same
 * checks and messages as a store URL without needing any credentials.
 */
import { FileXferError, type AdapterCapabilities, type FileXferErrorCode, type StorageAdapter, type StoreResponse } from '@filexfer/core';

const CODES = new Set<string>([
  'NotFound', 'PermissionDenied', 'Unauthenticated', 'Precondition', 'Aborted', 'ChecksumMismatch', 'Expired',
  'Network', 'Unavailable', 'InvalidInput', 'TooLarge', 'Conflict', 'Unknown',
]);

// S3 / GCS XML API / Azure error codes for a refused or missing object.
// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
// https://learn.microsoft.com/en-us/rest/api/storageservices/blob-service-error-codes
const XML_CODES: Record<string, FileXferErrorCode> = {
  NoSuchKey: 'NotFound',
  NoSuchBucket: 'NotFound',
  BlobNotFound: 'NotFound',
  ContainerNotFound: 'NotFound',
  SignatureDoesNotMatch: 'PermissionDenied',
  AuthenticationFailed: 'PermissionDenied',
  AuthorizationFailure: 'PermissionDenied',
  AccessDenied: 'PermissionDenied',
  InvalidAccessKeyId: 'PermissionDenied',
  ExpiredToken: 'Expired',
};

export function classifySharedUrlError(response: StoreResponse): { code: FileXferErrorCode; message: string } | undefined {
  const text = response.bodyText ?? '';
  try {
    // The local store answers JSON { code, message } with core's codes.
    const body = JSON.parse(text) as { code?: string; message?: string };
    if (body.code && CODES.has(body.code)) return { code: body.code as FileXferErrorCode, message: body.message ?? body.code };
  } catch {
    // not JSON
  }
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  // Only <Message>: Azure's <AuthenticationErrorDetail> echoes the string to sign.
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1]?.split('\n')[0];
  if (!code) return undefined;
  if (/expired/i.test(message ?? '') || /expired/i.test(code)) {
    return { code: 'Expired', message: 'the URL has expired: ask the sender for a fresh one.' };
  }
  const mapped = XML_CODES[code];
  if (!mapped) return undefined;
  const why = mapped === 'NotFound' ? 'there is no such object (deleted, or the URL was changed).' : 'the store refused the URL (changed, signed for something else, or revoked).';
  return { code: mapped, message: `${code}: ${why}` };
}

/** Whole-object checksums the stores put on a GET reply (only the ones that always cover the whole object). */
export function sharedUrlChecksums(response: StoreResponse): { crc32c?: string; md5?: string } {
  const local = response.headers['x-filexfer-crc32c'];
  if (local) return { crc32c: local };
  // GCS: x-goog-hash: crc32c=...,md5=... (whole object). https://cloud.google.com/storage/docs/xml-api/reference-headers#xgooghash
  const goog = response.status === 200 ? response.headers['x-goog-hash'] : undefined;
  if (goog) {
    const crc32c = /crc32c=([^,\s]+)/.exec(goog)?.[1];
    if (crc32c) return { crc32c };
  }
  return {};
}

export class SharedUrlAdapter implements StorageAdapter {
  readonly name = 'url';
  readonly capabilities: AdapterCapabilities = {
    checksSignatures: true,
    parallelParts: false,
    minPartSize: 1,
    partSizeMultiple: 1,
    maxParts: 1,
    resumableUploads: false,
  };

  classifyError(response: StoreResponse) {
    return classifySharedUrlError(response);
  }

  checksumsFromResponse(response: StoreResponse) {
    return sharedUrlChecksums(response);
  }

  createUpload(): never {
    throw this.unsupported();
  }
  resumeUpload(): never {
    throw this.unsupported();
  }
  presignDownload(): never {
    throw this.unsupported();
  }
  presignUpload(): never {
    throw this.unsupported();
  }
  stat(): never {
    throw this.unsupported();
  }
  delete(): never {
    throw this.unsupported();
  }

  private unsupported(): FileXferError {
    return new FileXferError('InvalidInput', 'A shared URL can only be downloaded; upload and presign need a store URL (s3://, gs://, az://, local://).');
  }
}
