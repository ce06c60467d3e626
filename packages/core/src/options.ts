/**
 * TransferManager options, checked at construction. Each default says why,
 * and what it costs in memory: upload memory is at most
 * partSize x partConcurrency x maxConcurrentTransfers (8 MiB x 4 x 4 = 128 MiB
 * at the defaults, reached only with four large uploads at once).
 */
import type { StorageAdapter } from './adapter.js';
import { MiB } from './constants.js';
import { DEFAULT_RETRY, type RetryOptions } from './engine/retry.js';
import type { Transport } from './engine/transport.js';
import { FileXferError } from './errors.js';
import type { FileTransferHandler } from './handler.js';

export interface TransferManagerOptions {
  /** The store. Required unless a custom `handler` moves the bytes. */
  adapter?: StorageAdapter;
  /** Replaces the presigned handler (mesibo's setFileTransferHandler). */
  handler?: FileTransferHandler;
  /** Transfers moving at once; more wait in a queue. Default 4: enough to fill a link without starving a chat's small files. */
  maxConcurrentTransfers?: number;
  /** Parts of one upload in flight at once (stores that allow parallel parts). Default 4. */
  partConcurrency?: number;
  /**
   * Bytes per part, and the size up to which one PUT carries the whole file.
   * Default 8 MiB: large enough that S3's 5 MiB minimum holds, small enough
   * that a retry re-sends little. Adapters round it to what their store needs.
   */
  partSize?: number;
  /** Seconds a signed request URL stays valid. Default 3600; each part is signed just before it is sent. */
  expiresIn?: number;
  /** Seconds the download URL put in `file.url` stays valid. Default 7 days, the longest V4 signatures allow. */
  downloadUrlExpiresIn?: number;
  retry?: Partial<RetryOptions>;
  /** Least milliseconds between two progress reports of one transfer. Default 100. */
  progressIntervalMs?: number;
  /** Replaces the node:http transport (tests, browsers). */
  transport?: Transport;
}

export interface ResolvedOptions {
  adapter?: StorageAdapter;
  handler?: FileTransferHandler;
  maxConcurrentTransfers: number;
  partConcurrency: number;
  partSize: number;
  expiresIn: number;
  downloadUrlExpiresIn: number;
  retry: RetryOptions;
  progressIntervalMs: number;
  transport?: Transport;
}

export function resolveOptions(options: TransferManagerOptions): ResolvedOptions {
  if (!options.adapter && !options.handler) {
    throw new FileXferError('InvalidInput', 'TransferManager needs an adapter (e.g. `new TransferManager({ adapter: await LocalAdapter.start({ root }) })`) or a custom handler.');
  }
  return {
    adapter: options.adapter,
    handler: options.handler,
    maxConcurrentTransfers: positiveInteger('maxConcurrentTransfers', options.maxConcurrentTransfers, 4),
    partConcurrency: positiveInteger('partConcurrency', options.partConcurrency, 4),
    partSize: positiveInteger('partSize', options.partSize, 8 * MiB),
    expiresIn: positiveInteger('expiresIn', options.expiresIn, 3600),
    downloadUrlExpiresIn: positiveInteger('downloadUrlExpiresIn', options.downloadUrlExpiresIn, 7 * 24 * 3600),
    retry: {
      retries: nonNegativeInteger('retry.retries', options.retry?.retries, DEFAULT_RETRY.retries),
      baseDelayMs: nonNegativeInteger('retry.baseDelayMs', options.retry?.baseDelayMs, DEFAULT_RETRY.baseDelayMs),
      maxDelayMs: nonNegativeInteger('retry.maxDelayMs', options.retry?.maxDelayMs, DEFAULT_RETRY.maxDelayMs),
    },
    progressIntervalMs: nonNegativeInteger('progressIntervalMs', options.progressIntervalMs, 100),
    transport: options.transport,
  };
}

export function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) throw new FileXferError('InvalidInput', `${name} must be a whole number above 0 (got ${value}).`);
  return value;
}

function nonNegativeInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) throw new FileXferError('InvalidInput', `${name} must be a whole number, 0 or more (got ${value}).`);
  return value;
}
