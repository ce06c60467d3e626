/**
 * The download engine: GET a signed URL into `<dest>.filexfer-partial`, check
 * size and checksums, then rename into place, so the destination is either
 * absent or whole. A cut connection resumes with Range + If-Match from the
 * bytes already on disk, within this run (retries) and across runs (the
 * partial file and its `.json` note stay after a failure, not after a stop).
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Checksums, StorageAdapter, StoreResponse } from '../adapter.js';
import { abortedError, displayUrl, FileXferError } from '../errors.js';
import { RunningChecksum } from './checksum.js';
import { ProgressMeter, type TransferProgress } from './progress.js';
import { withRetry, type RetryOptions } from './retry.js';
import { storeError } from './store-error.js';
import { quoteEtag, unquoteEtag } from './etag.js';
import { readText, type Transport } from './transport.js';

export interface DownloadJob {
  adapter?: Pick<StorageAdapter, 'name' | 'classifyError' | 'checksumsFromResponse'>;
  transport: Transport;
  url: string;
  destPath: string;
  /** Checksums the sender reported (e.g. in the file message); verified when given. */
  expected?: Partial<Checksums>;
  expectedSize?: number;
  retry: RetryOptions;
  signal: AbortSignal;
  progressIntervalMs: number;
  onProgress: (progress: TransferProgress) => void;
}

export interface DownloadResult {
  size: number;
  checksums: Checksums;
  etag?: string;
}

interface PartialNote {
  etag?: string;
  size: number;
  source: string;
}

export const PARTIAL_SUFFIX = '.filexfer-partial';
const WRITE_BATCH = 1024 * 1024;

export function partialPaths(destPath: string) {
  return { data: destPath + PARTIAL_SUFFIX, note: destPath + PARTIAL_SUFFIX + '.json' };
}

export async function runDownload(job: DownloadJob): Promise<DownloadResult> {
  const paths = partialPaths(job.destPath);
  await mkdir(dirname(job.destPath), { recursive: true });
  const note = await readNote(paths.note);
  let offset = note ? await sizeOf(paths.data) : 0;
  let total: number | undefined = note?.size;
  let etag: string | undefined = note?.etag;
  if (!note || offset > (total ?? 0)) offset = 0;
  let running: RunningChecksum | undefined;
  let storeChecksums: Partial<Checksums> = {};
  let meter: ProgressMeter | undefined;
  let meterBase = 0;
  let handle: FileHandle | undefined;

  const restart = async () => {
    offset = 0;
    running = undefined;
    await handle?.truncate(0);
  };

  try {
    handle = await open(paths.data, offset > 0 ? 'r+' : 'w');
    await withRetry(
      async () => {
        const headers: Record<string, string> = {};
        if (offset > 0) {
          headers.range = `bytes=${offset}-`;
          if (etag) headers['if-match'] = quoteEtag(etag);
        }
        let response = await job.transport.send({ method: 'GET', url: job.url, headers, signal: job.signal });
        if (offset > 0 && (response.status === 412 || (response.status === 416 && offset !== total))) {
          // The object changed (or shrank) since the partial file was written: start over,
          // at once (this is not a failure, so it uses up no retry).
          await readText(response.body);
          await restart();
          response = await job.transport.send({ method: 'GET', url: job.url, signal: job.signal });
        }
        const reply: StoreResponse = { status: response.status, headers: response.headers };
        if (response.status === 416) {
          await readText(response.body);
          return; // every byte is already on disk
        }
        if (response.status !== 200 && response.status !== 206) {
          reply.bodyText = await readText(response.body);
          const error = storeError(job.adapter, reply, 'download', undefined, { method: 'GET', url: job.url, headers });
          // A shared URL cannot be re-signed here: an expired one fails at once.
          if (error.code === 'Expired') throw new FileXferError('Expired', `${error.message} Ask the sender for a fresh link.`, { adapter: error.adapter, operation: 'download', status: error.status, retryable: false });
          throw error;
        }
        if (response.status === 200) {
          if (offset > 0) await restart();
          total = numberHeader(response.headers['content-length']);
          storeChecksums = job.adapter?.checksumsFromResponse?.(reply) ?? {};
        } else {
          const range = parseContentRange(response.headers['content-range']);
          if (!range || range.start !== offset) {
            await readText(response.body);
            await restart();
            throw new FileXferError('Precondition', 'The store answered a different range than asked; starting again.', { retryable: true });
          }
          total = range.total;
          if (Object.keys(storeChecksums).length === 0) storeChecksums = job.adapter?.checksumsFromResponse?.(reply) ?? {};
        }
        etag = unquoteEtag(response.headers.etag) ?? etag;
        if (total === undefined) throw new FileXferError('Unknown', 'The store did not say how large the object is.', { operation: 'download' });
        if (job.expectedSize !== undefined && total !== job.expectedSize) {
          await readText(response.body);
          throw new FileXferError('ChecksumMismatch', `The object at ${displayUrl(job.url)} is ${total} bytes; the sender said ${job.expectedSize}.`, { operation: 'download', retryable: false });
        }
        await writeFile(paths.note, JSON.stringify({ etag, size: total, source: displayUrl(job.url) } satisfies PartialNote));
        if (!running) running = await hashPrefix(paths.data, offset, wantsMd5(job.expected, storeChecksums));
        if (!meter) {
          // The meter starts at the bytes already on disk; it is credited only with what arrives from here.
          meterBase = offset;
          meter = new ProgressMeter(total, job.progressIntervalMs, job.onProgress, offset);
        }
        // Socket chunks are small (16-64 KiB); one writev per ~1 MiB keeps the disk from setting the pace.
        let batch: Buffer[] = [];
        let batchBytes = 0;
        const flush = async () => {
          if (batchBytes === 0) return;
          try {
            await handle!.writev(batch, offset);
          } catch (error) {
            running = undefined; // hashed bytes that did not reach the disk: re-hash from the file next time
            const code = (error as { code?: string }).code ?? String(error);
            throw new FileXferError('InvalidInput', `Cannot write ${paths.data}: ${code}. Free some space or choose another destination.`, { operation: 'download', cause: error, retryable: false });
          }
          offset += batchBytes;
          batch = [];
          batchBytes = 0;
          meter!.credit(0, offset - meterBase);
        };
        try {
          for await (const chunk of response.body) {
            const buf = chunk as Buffer;
            running!.update(buf);
            batch.push(buf);
            batchBytes += buf.length;
            if (batchBytes >= WRITE_BATCH) await flush();
          }
          await flush();
        } catch (error) {
          // Bytes already received are good (they were hashed in order): keep them for the resume.
          if (error instanceof FileXferError && !error.retryable) throw error;
          await flush().catch(() => undefined);
          if (job.signal.aborted) throw abortedError({ cause: error });
          throw new FileXferError('Network', `The download from ${displayUrl(job.url)} was cut at byte ${offset}; resuming.`, { cause: error, retryable: true });
        }
        if (offset < total) {
          throw new FileXferError('Network', `The download from ${displayUrl(job.url)} ended early at byte ${offset} of ${total}; resuming.`, { retryable: true });
        }
      },
      job.retry,
      job.signal,
    );
    if (!running) running = await hashPrefix(paths.data, offset, wantsMd5(job.expected, storeChecksums));
    const size = offset;
    const checksums = running.digest();
    verify(job, size, total ?? size, checksums, { ...storeChecksums, ...definedOnly(job.expected) });
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(paths.data, job.destPath);
    await rm(paths.note, { force: true });
    (meter ?? new ProgressMeter(size, 0, job.onProgress)).finish();
    return { size, checksums, etag };
  } catch (error) {
    await handle?.close().catch(() => undefined);
    // Keep the partial bytes only where the next run can resume from them.
    const keep = !job.signal.aborted && error instanceof FileXferError && error.retryable && offset > 0;
    if (!keep) await removePartial(job.destPath);
    if (job.signal.aborted) throw abortedError({ operation: 'download', cause: error });
    throw error;
  }
}

export async function removePartial(destPath: string): Promise<void> {
  const paths = partialPaths(destPath);
  await rm(paths.data, { force: true });
  await rm(paths.note, { force: true });
}

function verify(job: DownloadJob, size: number, total: number, got: Checksums, expected: Partial<Checksums>): void {
  const fail = (what: string) =>
    new FileXferError('ChecksumMismatch', `The bytes from ${displayUrl(job.url)} do not match: ${what}. Nothing was written to ${job.destPath}; download it again.`, {
      operation: 'download',
      retryable: false,
    });
  if (size !== total) throw fail(`got ${size} bytes of ${total}`);
  if (expected.crc32c && expected.crc32c !== got.crc32c) throw fail(`CRC32C ${got.crc32c}, expected ${expected.crc32c}`);
  if (!expected.crc32c && expected.md5 && got.md5 && expected.md5 !== got.md5) throw fail(`MD5 ${got.md5}, expected ${expected.md5}`);
}

function wantsMd5(expected: Partial<Checksums> | undefined, fromStore: Partial<Checksums>): boolean {
  const merged = { ...fromStore, ...definedOnly(expected) };
  return !merged.crc32c && !!merged.md5;
}

async function hashPrefix(path: string, length: number, withMd5: boolean): Promise<RunningChecksum> {
  const running = new RunningChecksum(withMd5);
  if (length === 0) return running;
  for await (const chunk of createReadStream(path, { start: 0, end: length - 1 })) running.update(chunk as Buffer);
  return running;
}

async function readNote(path: string): Promise<PartialNote | undefined> {
  try {
    const note = JSON.parse(await readFile(path, 'utf8')) as PartialNote;
    return typeof note.size === 'number' ? note : undefined;
  } catch {
    return undefined;
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

function parseContentRange(value: string | undefined): { start: number; end: number; total: number } | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value ?? '');
  return match ? { start: Number(match[1]), end: Number(match[2]), total: Number(match[3]) } : undefined;
}

function numberHeader(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function definedOnly(checksums: Partial<Checksums> | undefined): Partial<Checksums> {
  const out: Partial<Checksums> = {};
  if (checksums?.crc32c) out.crc32c = checksums.crc32c;
  if (checksums?.md5) out.md5 = checksums.md5;
  return out;
}
