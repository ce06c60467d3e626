/**
 * The control requests of a GCS resumable session, which the adapter sends
 * itself (the engine sends only the bytes): start it from a signed URL, ask
 * its persisted offset, cancel it.
 * https://cloud.google.com/storage/docs/performing-resumable-uploads (XML API tab)
 */
import { displayUrl, type StoreResponse } from '@filexfer/core';
import { classifyGcsError, gcsError } from './errors.js';

/** What a status query learns about a session. */
export type SessionStatus =
  | { state: 'active'; persisted: number }
  | { state: 'complete'; response: StoreResponse }
  | { state: 'gone'; status: number };

export interface ControlRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  operation: string;
  key: string;
}

/** One small request with a timeout; 308 is returned as is, never followed. */
export async function sendControl(request: ControlRequest): Promise<StoreResponse> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body ?? (request.method === 'POST' || request.method === 'PUT' ? '' : undefined),
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (error) {
    const cause = error as Error;
    const timedOut = cause.name === 'TimeoutError';
    throw gcsError(
      'Network',
      `${request.operation} of "${request.key}": ${timedOut ? `no answer from ${displayUrl(request.url)} within ${request.timeoutMs} ms` : `could not reach ${displayUrl(request.url)} (${causeText(cause)})`}. Check the network and the apiEndpoint.`,
      request.operation,
      request.key,
      { cause, retryable: true },
    );
  }
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  if (request.method === 'GET' && (response.status === 200 || response.status === 206)) {
    // Only the headers of an object GET are wanted (stat): drop its bytes.
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status, headers };
  }
  const text = await response.text();
  return { status: response.status, headers, bodyText: text.slice(0, 64 * 1024) };
}

/** Throws the FileXferError a failed control reply stands for. */
export function controlError(response: StoreResponse, operation: string, key: string, fallback: string): Error {
  const classified = classifyGcsError(response);
  const retryable = response.status === 408 || response.status === 429 || response.status >= 500 || classified?.code === 'Expired';
  if (classified) return gcsError(classified.code, `${operation} of "${key}" failed: ${classified.message}`, operation, key, { status: response.status, retryable });
  const code = response.status === 404 ? 'NotFound' : response.status === 403 ? 'PermissionDenied' : response.status === 401 ? 'Unauthenticated' : retryable ? 'Unavailable' : 'Unknown';
  return gcsError(code, `${operation} of "${key}" failed: GCS answered ${response.status}. ${fallback}`, operation, key, { status: response.status, retryable });
}

/**
 * `Range: bytes=0-N` on a 308 means bytes [0, N] are persisted; no Range header
 * means none are. https://cloud.google.com/storage/docs/performing-resumable-uploads#status-check
 */
export function persistedFromRange(range: string | undefined): number {
  if (!range) return 0;
  const match = /bytes=0-(\d+)/.exec(range);
  if (!match) throw new TypeError(`unexpected Range header on a resumable session reply: ${range}`);
  return Number(match[1]) + 1;
}

/** Status query: an empty PUT with `Content-Range: bytes * /SIZE` (no space). */
export async function querySession(sessionUri: string, size: number, timeoutMs: number, key: string): Promise<SessionStatus> {
  const response = await sendControl({
    method: 'PUT',
    url: sessionUri,
    headers: { 'content-range': `bytes */${size}` },
    timeoutMs,
    operation: 'resume upload',
    key,
  });
  if (response.status === 308) return { state: 'active', persisted: persistedFromRange(response.headers.range) };
  if (response.status === 200 || response.status === 201) return { state: 'complete', response };
  // 404/410: the session expired (a week) or failed for good; 499: it was cancelled.
  if (response.status === 404 || response.status === 410 || response.status === 499) return { state: 'gone', status: response.status };
  throw controlError(response, 'resume upload', key, 'Could not learn how much of the upload GCS holds; try again.');
}

/** Cancels a session. GCS answers 499 to a DELETE of a session; an already gone session is fine too. */
export async function cancelSession(sessionUri: string, timeoutMs: number, key: string): Promise<void> {
  const response = await sendControl({ method: 'DELETE', url: sessionUri, timeoutMs, operation: 'abort upload', key });
  if (response.status === 499 || response.status === 404 || response.status === 410 || (response.status >= 200 && response.status < 300)) return;
  throw controlError(response, 'abort upload', key, 'The resumable session may still exist; it expires by itself after a week and holds no visible object.');
}

function causeText(error: Error): string {
  const code = (error.cause as { code?: string } | undefined)?.code ?? (error as { code?: string }).code;
  return code ?? error.message;
}
