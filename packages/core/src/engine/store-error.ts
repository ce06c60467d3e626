/** Turns a store's non-2xx reply into a FileXferError, the adapter's mapping first, core's HTTP mapping after. */
import type { SignedRequest, StorageAdapter, StoreResponse } from '../adapter.js';
import { codeForStatus, FileXferError, type FileXferErrorCode } from '../errors.js';

const RETRYABLE_STATUS = (status: number) => status === 408 || status === 429 || status >= 500;

export function storeError(
  adapter: Pick<StorageAdapter, 'name' | 'classifyError'> | undefined,
  response: StoreResponse,
  operation: string,
  key?: string,
  request?: SignedRequest,
): FileXferError {
  const classified = adapter?.classifyError?.(response, request);
  const code: FileXferErrorCode = classified?.code ?? codeForStatus(response.status);
  const detail = classified?.message ?? defaultMessage(code, response.status);
  return new FileXferError(code, `${operation}${key ? ` of "${key}"` : ''} failed: ${detail}`, {
    adapter: adapter?.name,
    operation,
    key,
    status: response.status,
    retryable: code === 'Expired' || RETRYABLE_STATUS(response.status) || code === 'Network' || code === 'Unavailable',
  });
}

function defaultMessage(code: FileXferErrorCode, status: number): string {
  switch (code) {
    case 'NotFound':
      return `the store answered ${status}: no such object or bucket. Check the key, the bucket and that the URL is the one that was sent.`;
    case 'PermissionDenied':
      return `the store answered ${status}: access denied. The URL may be tampered with, expired or lack the permission; ask the sender for a fresh URL or check the credentials.`;
    case 'Unauthenticated':
      return `the store answered ${status}: the signature or credentials were refused. Check the access key and secret.`;
    case 'Precondition':
      return `the store answered ${status}: the object changed since the transfer began. Start it again.`;
    case 'TooLarge':
      return `the store answered ${status}: the object is too large for this store or request.`;
    case 'Unavailable':
      return `the store answered ${status}: it is busy or failing. Retried with backoff; try again later.`;
    case 'InvalidInput':
      return `the store answered ${status}: it refused the request as malformed.`;
    default:
      return `the store answered ${status}.`;
  }
}
