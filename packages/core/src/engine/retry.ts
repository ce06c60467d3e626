/**
 * Retries with exponential backoff and full jitter
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/):
 * only errors marked retryable (network, 5xx, 429, an expired signature) are
 * tried again; a 4xx that cannot change fails at once.
 */
import { abortedError, FileXferError } from '../errors.js';

export interface RetryOptions {
  /** Attempts after the first. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { retries: 5, baseDelayMs: 200, maxDelayMs: 10_000 };

export function backoffDelay(attempt: number, options: RetryOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

export function isRetryable(error: unknown): boolean {
  return error instanceof FileXferError && error.retryable;
}

export async function withRetry<T>(
  attemptFn: (attempt: number) => Promise<T>,
  options: RetryOptions,
  signal?: AbortSignal,
  onRetry?: (error: unknown, attempt: number) => void,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(signal);
    try {
      return await attemptFn(attempt);
    } catch (error) {
      if (signal?.aborted) throw abortedError({ cause: error });
      if (!isRetryable(error) || attempt >= options.retries) throw error;
      onRetry?.(error, attempt);
      await sleep(backoffDelay(attempt, options), signal);
    }
  }
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortedError();
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
