/**
 * The upload engine: one signed PUT or a parts session, whatever the store.
 * Memory holds at most `partConcurrency` parts (each read from disk just
 * before it is sent), so a 1 GiB file costs what a 10 MiB one does.
 */
import type {
  Checksums,
  CompletedPart,
  ObjectInfo,
  PartSpec,
  PartsUpload,
  SingleUpload,
  StorageAdapter,
  StoreResponse,
  UploadState,
} from '../adapter.js';
import { abortedError, FileXferError } from '../errors.js';
import { checksumsOf, crc32cCombine, crc32cFromBase64, crc32cToBase64, RunningChecksum } from './checksum.js';
import type { ProgressMeter } from './progress.js';
import { throwIfAborted, withRetry, type RetryOptions } from './retry.js';
import type { ByteSource } from './source.js';
import { storeError } from './store-error.js';
import { unquoteEtag } from './etag.js';
import { readText, type Transport } from './transport.js';

export interface UploadJob {
  adapter: StorageAdapter;
  transport: Transport;
  source: ByteSource;
  key: string;
  contentType?: string;
  metadata?: Record<string, string>;
  expiresIn: number;
  partSize: number;
  partConcurrency: number;
  retry: RetryOptions;
  signal: AbortSignal;
  meter: ProgressMeter;
  /** Continue this session instead of starting one. */
  resumeState?: UploadState;
  /** Called with the session state once a parts session exists (for a journal). */
  onState?: (state: UploadState) => void;
}

export interface UploadResult {
  info: ObjectInfo;
  checksums: Checksums;
}

export async function runUpload(job: UploadJob): Promise<UploadResult> {
  throwIfAborted(job.signal);
  const plan = job.resumeState
    ? await job.adapter.resumeUpload(job.resumeState)
    : await job.adapter.createUpload({
        key: job.key,
        size: job.source.size,
        contentType: job.contentType,
        expiresIn: job.expiresIn,
        partSize: job.partSize,
        metadata: job.metadata,
      });
  if (plan.kind === 'single') return uploadSingle(job, plan);
  job.onState?.(plan.state);
  try {
    return plan.parallel ? await uploadParallel(job, plan) : await uploadSequential(job, plan);
  } catch (error) {
    // Whatever went wrong, no half-made object or orphaned parts stay behind.
    await plan.abort().catch(() => undefined);
    if (job.signal.aborted) throw abortedError({ adapter: job.adapter.name, operation: 'upload', key: job.key, cause: error });
    throw error;
  }
}

async function uploadSingle(job: UploadJob, plan: SingleUpload): Promise<UploadResult> {
  const body = await job.source.read(0, job.source.size);
  const checksums = checksumsOf(body, plan.wantsMd5 === true);
  const response = await sendWithRetry(job, 1, body, () => plan.sign(checksums), 'upload');
  await plan.verify?.(response, checksums);
  job.meter.finish();
  return { info: { key: job.key, size: body.byteLength, etag: unquoteEtag(response.headers.etag), crc32c: checksums.crc32c, md5: checksums.md5 }, checksums };
}

async function uploadParallel(job: UploadJob, plan: PartsUpload): Promise<UploadResult> {
  const { size } = job.source;
  const partSize = plan.partSize;
  const partCount = Math.max(1, Math.ceil(size / partSize));
  const held = job.resumeState ? await heldParts(plan) : new Map<number, CompletedPart>();
  const completed: CompletedPart[] = new Array(partCount);
  const crcs: number[] = new Array(partCount);
  let next = 0;
  const failure = new AbortController();
  const signal = AbortSignal.any([job.signal, failure.signal]);

  const worker = async () => {
    // One buffer per worker, reused for each of its parts: a part is read only
    // after the previous one was confirmed, so memory stays partSize x workers.
    let buffer: Buffer | undefined;
    while (next < partCount && !signal.aborted) {
      const index = next++;
      const offset = index * partSize;
      const length = Math.min(partSize, size - offset);
      buffer ??= Buffer.allocUnsafe(Math.min(partSize, size));
      const body = await job.source.read(offset, length, buffer);
      const checksums = checksumsOf(body, plan.wantsMd5 === true);
      crcs[index] = crc32cFromBase64(checksums.crc32c);
      const part: PartSpec = { partNumber: index + 1, offset, size: length, isLast: index === partCount - 1 };
      const already = held.get(part.partNumber);
      if (already && already.size === length && (!already.crc32c || already.crc32c === checksums.crc32c)) {
        completed[index] = { ...already, crc32c: checksums.crc32c };
        job.meter.addConfirmed(length);
        continue;
      }
      const response = await sendWithRetry(job, part.partNumber, body, () => plan.signPart(part, checksums), 'upload part', signal);
      completed[index] = { ...plan.readPart(part, checksums, response).part, crc32c: checksums.crc32c };
    }
  };
  const workers = Array.from({ length: Math.min(job.partConcurrency, partCount) }, () =>
    worker().catch((error) => {
      failure.abort();
      throw error;
    }),
  );
  const results = await Promise.allSettled(workers);
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw pickError(results, rejected.reason);
  throwIfAborted(job.signal);

  let whole = 0;
  crcs.forEach((crc, i) => {
    whole = i === 0 ? crc : crc32cCombine(whole, crc, Math.min(partSize, size - i * partSize));
  });
  const checksums: Checksums = { crc32c: crc32cToBase64(size === 0 ? 0 : whole) };
  const info = await plan.complete(completed, { size, crc32c: checksums.crc32c });
  job.meter.finish();
  return { info: { ...info, crc32c: info.crc32c ?? checksums.crc32c }, checksums };
}

/** For stores that take bytes in order (GCS resumable): one request at a time, from the offset the store persisted. */
async function uploadSequential(job: UploadJob, plan: PartsUpload): Promise<UploadResult> {
  const { size } = job.source;
  const partSize = plan.partSize;
  const wantsMd5 = plan.wantsMd5 === true;
  const whole = new RunningChecksum(wantsMd5);
  let persisted = 0;
  if (job.resumeState) {
    const held = await plan.listParts();
    persisted = held.reduce((sum, p) => sum + p.size, 0);
    // Sequential sessions credit one slot with the file offset reached, persisted bytes included.
    job.meter.credit(0, persisted);
  }
  const completed: CompletedPart[] = [];
  let wholeChecksums: Checksums | undefined;
  let buffer: Buffer | undefined;
  for (let index = 0; index * partSize < size || (size === 0 && index === 0); index++) {
    const partStart = index * partSize;
    const partEnd = Math.min(size, partStart + partSize);
    buffer ??= Buffer.allocUnsafe(Math.min(partSize, size));
    const body = await job.source.read(partStart, partEnd - partStart, buffer);
    whole.update(body);
    // Every byte has been read once the last part is: the whole-object checksums are final.
    if (partEnd === size) wholeChecksums = whole.digest();
    let offset = Math.max(partStart, persisted);
    let stalls = 0;
    while (offset < partEnd || (size === 0 && offset === 0 && completed.length === 0)) {
      const slice = body.subarray(offset - partStart);
      const checksums = checksumsOf(slice, wantsMd5);
      const part: PartSpec = { partNumber: index + 1, offset, size: slice.byteLength, isLast: partEnd === size };
      const response = await sendWithRetry(job, 0, slice, () => plan.signPart(part, checksums, part.isLast ? wholeChecksums : undefined), 'upload part', job.signal, offset);
      const result = plan.readPart(part, checksums, response);
      const upTo = result.persistedUpTo ?? offset + slice.byteLength;
      if (upTo <= offset && slice.byteLength > 0) {
        if (++stalls > job.retry.retries) throw new FileXferError('Unavailable', `The store kept none of the bytes sent at offset ${offset}.`, { adapter: job.adapter.name, operation: 'upload', key: job.key });
      } else stalls = 0;
      completed.push({ ...result.part, crc32c: checksums.crc32c });
      offset = upTo;
      if (size === 0) break;
    }
    persisted = Math.max(persisted, partEnd);
  }
  const checksums = wholeChecksums ?? whole.digest();
  const info = await plan.complete(completed, { size, crc32c: checksums.crc32c, md5: checksums.md5 });
  job.meter.finish();
  return { info: { ...info, crc32c: info.crc32c ?? checksums.crc32c }, checksums };
}

async function heldParts(plan: PartsUpload): Promise<Map<number, CompletedPart>> {
  const parts = await plan.listParts();
  return new Map(parts.map((p) => [p.partNumber, p]));
}

/**
 * Sends one body with retries: a fresh signature every attempt (so an expired
 * URL is re-signed), progress credited to `slot` by bytes the socket took.
 */
async function sendWithRetry(
  job: UploadJob,
  slot: number,
  body: Buffer,
  sign: () => Promise<import('../adapter.js').SignedRequest>,
  operation: string,
  signal: AbortSignal = job.signal,
  creditBase = 0,
): Promise<StoreResponse> {
  return withRetry(
    async () => {
      const request = await sign();
      let sent = 0;
      const response = await job.transport.send({
        ...request,
        body,
        signal,
        onBytesWritten: (n) => {
          sent += n;
          job.meter.credit(slot, creditBase + sent);
        },
      });
      // 308 is a GCS resumable session's "received, send more"; the adapter's readPart reads it.
      const reply: StoreResponse = { status: response.status, headers: response.headers, bodyText: await readText(response.body) };
      if (response.status >= 200 && response.status < 300) return reply;
      if (response.status === 308) return reply;
      throw storeError(job.adapter, reply, operation, job.key, request);
    },
    job.retry,
    signal,
  ).catch(async (error) => {
    if (signal.aborted) throw abortedError({ adapter: job.adapter.name, operation, key: job.key, cause: error });
    throw error;
  });
}

/** When one part fails and the others are stopped because of it, report the first real failure, not "aborted". */
function pickError(results: PromiseSettledResult<unknown>[], fallback: unknown): unknown {
  for (const r of results) {
    if (r.status === 'rejected' && !(r.reason instanceof FileXferError && r.reason.code === 'Aborted')) return r.reason;
  }
  return fallback;
}
