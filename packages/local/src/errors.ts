/** The local server answers errors as JSON { code, message } with core's codes: read them back as they are. */
import type { FileXferErrorCode, StoreResponse } from '@filexfer/core';

const CODES = new Set<FileXferErrorCode>([
  'NotFound', 'PermissionDenied', 'Unauthenticated', 'Precondition', 'Aborted', 'ChecksumMismatch', 'Expired',
  'Network', 'Unavailable', 'InvalidInput', 'TooLarge', 'Conflict', 'Unknown',
]);

export function classifyLocalError(response: StoreResponse): { code: FileXferErrorCode; message: string } | undefined {
  try {
    const body = JSON.parse(response.bodyText ?? '') as { code?: string; message?: string };
    if (body.code && CODES.has(body.code as FileXferErrorCode)) {
      return { code: body.code as FileXferErrorCode, message: body.message ?? body.code };
    }
  } catch {
    // not our JSON: fall back to core's status mapping
  }
  return undefined;
}
