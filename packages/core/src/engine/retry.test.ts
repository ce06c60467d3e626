import { FileXferError } from '../errors.js';
import { backoffDelay, withRetry } from './retry.js';

const options = { retries: 3, baseDelayMs: 1, maxDelayMs: 4 };

test('backoff grows exponentially with full jitter, capped', () => {
  expect(backoffDelay(0, { retries: 5, baseDelayMs: 100, maxDelayMs: 1000 }, () => 0.999)).toBe(99);
  expect(backoffDelay(3, { retries: 5, baseDelayMs: 100, maxDelayMs: 1000 }, () => 0.999)).toBe(799);
  expect(backoffDelay(9, { retries: 5, baseDelayMs: 100, maxDelayMs: 1000 }, () => 0.999)).toBe(999);
  expect(backoffDelay(9, { retries: 5, baseDelayMs: 100, maxDelayMs: 1000 }, () => 0)).toBe(0);
});

test('retryable errors are retried up to the limit; others fail at once', async () => {
  let calls = 0;
  await expect(withRetry(async () => { calls++; throw new FileXferError('Unavailable', '503'); }, options)).rejects.toMatchObject({ code: 'Unavailable' });
  expect(calls).toBe(4);
  calls = 0;
  await expect(withRetry(async () => { calls++; throw new FileXferError('NotFound', '404'); }, options)).rejects.toMatchObject({ code: 'NotFound' });
  expect(calls).toBe(1);
});

test('an abort during backoff rejects with Aborted', async () => {
  const controller = new AbortController();
  const run = withRetry(async () => { throw new FileXferError('Network', 'reset'); }, { retries: 5, baseDelayMs: 10_000, maxDelayMs: 10_000 }, controller.signal);
  setTimeout(() => controller.abort(), 10);
  await expect(run).rejects.toMatchObject({ code: 'Aborted' });
});
