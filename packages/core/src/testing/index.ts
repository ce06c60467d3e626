/**
 * The conformance suite: what every store must pass, written once. Each
 * adapter package registers it in one short test file against its real
 * emulator; differences between stores are parameters, and a skipped case
 * carries its reason in its name.
 */
/// <reference types="jest" />
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { StorageAdapter } from '../adapter.js';
import { FileMode, FileSource, FileStatus, FileType } from '../constants.js';
import { crc32cOf, crc32cToBase64 } from '../engine/checksum.js';
import { isFileXferError, type FileXferErrorCode } from '../errors.js';
import type { FileInfo } from '../file-info.js';
import { TransferManager } from '../manager.js';
import type { TransferManagerOptions } from '../options.js';
import { TestFiles } from './files.js';

export { TestFiles, sha256 } from './files.js';
export { RecordingTransport, cutAfter, type Recorded } from './transport.js';

export const CONFORMANCE_CASES = [
  'round trips',
  'progress',
  'dedup',
  'stop upload',
  'stop download',
  'not found',
  'missing file',
  'tampered url',
  'expired url',
  'concurrency',
] as const;
export type ConformanceCase = (typeof CONFORMANCE_CASES)[number];

export interface ConformanceOptions {
  /** Shown in the test names, e.g. 's3 on MinIO'. */
  name: string;
  createAdapter: () => Promise<StorageAdapter>;
  /** A part size the store accepts; the many-part cases use it. */
  partSize: number;
  /** Cases this store cannot run, each with its reason. */
  skip?: Partial<Record<ConformanceCase, string>>;
  /** Extra manager options (limits, expiry). */
  managerOptions?: Omit<TransferManagerOptions, 'adapter'>;
}

export function runConformanceSuite(options: ConformanceOptions): void {
  const { partSize } = options;
  let adapter: StorageAdapter;
  let manager: TransferManager;
  let files: TestFiles;
  const prefix = `conformance-${randomUUID().slice(0, 8)}`;
  const key = (name: string) => `${prefix}/${name}`;

  const test = (name: ConformanceCase, title: string, fn: () => Promise<void>, timeout?: number) => {
    const reason = options.skip?.[name];
    if (reason) it.skip(`${title} (skipped for ${options.name}: ${reason})`, () => undefined);
    else it(title, fn, timeout);
  };

  describe(`conformance: ${options.name}`, () => {
    beforeAll(async () => {
      adapter = await options.createAdapter();
      manager = new TransferManager({ adapter, partSize, retry: { retries: 2, baseDelayMs: 20, maxDelayMs: 200 }, progressIntervalMs: 0, ...options.managerOptions });
      files = await TestFiles.create();
    });
    afterAll(async () => {
      await manager?.close();
      await adapter?.close?.();
      await files?.remove();
    });

    describe('round trips are byte-exact', () => {
      const sizes: Array<[string, number]> = [
        ['0 B', 0],
        ['1 B', 1],
        ['part size - 1', partSize - 1],
        ['part size', partSize],
        ['part size + 1', partSize + 1],
        ['three parts and a tail', 3 * partSize + 12_345],
      ];
      for (const [label, size] of sizes) {
        test('round trips', `${label} (${size} bytes)`, async () => {
          const src = await files.make(`rt-${size}.bin`, size);
          const up = await manager.upload(src.path, { key: key(`rt/${size}.bin`), contentType: 'application/x-test' });
          expect(up.isTransferred()).toBe(true);
          expect(up.status).toBe(FileStatus.DONE);
          expect(up.progress).toBe(100);
          expect(up.size).toBe(size);
          expect(up.checksum?.crc32c).toBe(crc32cToBase64(crc32cOf(src.data)));
          expect(up.url).toMatch(/^https?:\/\//);
          const info = await adapter.stat(up.key);
          expect(info?.size).toBe(size);

          const dest = files.path(`rt-${size}.out`);
          const down = await manager.download(up.url, dest, { checksum: up.checksum, size });
          expect(down.isTransferred()).toBe(true);
          expect(await files.sha256Of(dest)).toBe(src.sha256);
          expect(leftovers(dest)).toEqual([]);
        });
      }
    });

    test('progress', 'progress is whole percents, monotonic, and ends at 100 exactly once', async () => {
      const src = await files.make('progress.bin', 4 * partSize + 7);
      const listenerSeen: number[] = [];
      const file = manager.getFileInstance({ mode: FileMode.UPLOAD, path: src.path, key: key('progress.bin'), listener: { onFileTransferProgress: (f) => void listenerSeen.push(f.progress) } });
      expect(manager.startFileTransfer(file)).toBe(true);
      await file.done();
      const down: number[] = [];
      await manager.download(file.url, files.path('progress.out'), { onProgress: (p) => down.push(p.percent) });
      for (const series of [listenerSeen, down]) {
        expect(series.length).toBeGreaterThan(1);
        expect(series.every((p) => Number.isInteger(p) && p >= 0 && p <= 100)).toBe(true);
        expect(series.every((p, i) => i === 0 || p >= series[i - 1]!)).toBe(true);
        expect(series[series.length - 1]).toBe(100);
        expect(series.filter((p) => p === 100).length).toBe(1);
      }
    });

    test('dedup', 'getFileInstance returns the running transfer for the same file or URL, never a finished one', async () => {
      const src = await files.make('dedup.bin', 3 * partSize);
      const first = manager.getFileInstance(undefined, 1, FileMode.UPLOAD, FileType.OTHER, FileSource.MESSAGE, src.path, undefined);
      expect(manager.startFileTransfer(first)).toBe(true);
      const second = manager.getFileInstance(undefined, 2, FileMode.UPLOAD, FileType.OTHER, FileSource.MESSAGE, src.path, undefined);
      expect(second).toBe(first);
      await first.done();
      const third = manager.getFileInstance(undefined, 3, FileMode.UPLOAD, FileType.OTHER, FileSource.MESSAGE, src.path, undefined);
      expect(third).not.toBe(first);

      const dest = files.path('dedup.out');
      const d1 = manager.getFileInstance({ mode: FileMode.DOWNLOAD, path: dest, url: first.url });
      manager.startFileTransfer(d1);
      const d2 = manager.getFileInstance({ mode: FileMode.DOWNLOAD, path: dest, url: first.url });
      expect(d2).toBe(d1);
      await d1.done();
      expect(await files.sha256Of(dest)).toBe(await files.sha256Of(src.path));
      expect(manager.getFileInstance({ mode: FileMode.DOWNLOAD, path: dest, url: first.url })).not.toBe(d1);
    });

    test('stop upload', 'stopping an upload mid-way leaves no object, and done() rejects with Aborted', async () => {
      const src = await files.make('stop-up.bin', 6 * partSize);
      const file = manager.getFileInstance({ mode: FileMode.UPLOAD, path: src.path, key: key('stop-up.bin') });
      file.setListener({
        onFileTransferProgress: (f) => {
          if (f.bytesTransferred > 0 && f.isRunning()) manager.stopFileTransfer(f);
        },
      });
      manager.startFileTransfer(file);
      await expectCode(file.done(), 'Aborted');
      expect(file.status).toBe(FileStatus.FAILED);
      expect(file.progress).toBeLessThan(0);
      expect(file.isTransferred()).toBe(false);
      expect(await adapter.stat(file.key)).toBeNull();
    });

    test('stop download', 'stopping a download mid-way leaves no destination and no partial file', async () => {
      const src = await files.make('stop-down.bin', 6 * partSize);
      const up = await manager.upload(src.path, { key: key('stop-down.bin') });
      const dest = files.path('stop-down.out');
      const controller = new AbortController();
      const done = manager.download(up.url, dest, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.bytesTransferred > 0) controller.abort();
        },
      });
      await expectCode(done, 'Aborted');
      expect(existsSync(dest)).toBe(false);
      expect(leftovers(dest)).toEqual([]);
    });

    test('not found', 'a missing key gives NotFound, and nothing is written', async () => {
      expect(await adapter.stat(key('no-such-object'))).toBeNull();
      const url = await adapter.presignDownload(key('no-such-object'), { expiresIn: 300 });
      const dest = files.path('missing.out');
      await expectCode(manager.download(url, dest), 'NotFound');
      expect(existsSync(dest)).toBe(false);
      expect(leftovers(dest)).toEqual([]);
    });

    test('missing file', 'uploading a file that does not exist is InvalidInput and names the path', async () => {
      const path = files.path('does-not-exist.bin');
      const error = await manager.upload(path).catch((e: unknown) => e);
      expect(isFileXferError(error, 'InvalidInput')).toBe(true);
      expect((error as Error).message).toContain(path);
    });

    test('tampered url', 'a tampered download URL is refused, without leaking the signature', async () => {
      if (!adapter.capabilities.checksSignatures) return expectSkippedBecauseNoSignatures(options.name);
      const src = await files.make('tamper.bin', 1000);
      const up = await manager.upload(src.path, { key: key('tamper.bin') });
      const tampered = tamper(up.url);
      const dest = files.path('tamper.out');
      const error = await manager.download(tampered, dest).catch((e: unknown) => e);
      expect(isFileXferError(error)).toBe(true);
      expect(['PermissionDenied', 'Unauthenticated']).toContain((error as { code: string }).code);
      expect(existsSync(dest)).toBe(false);
      assertNoSecrets(error, up.url);
    });

    test('expired url', 'an expired download URL is refused', async () => {
      if (!adapter.capabilities.checksSignatures) return expectSkippedBecauseNoSignatures(options.name);
      const src = await files.make('expire.bin', 1000);
      const up = await manager.upload(src.path, { key: key('expire.bin') });
      const url = await adapter.presignDownload(up.key, { expiresIn: 1 });
      await new Promise((r) => setTimeout(r, 2500));
      const dest = files.path('expire.out');
      const error = await manager.download(url, dest).catch((e: unknown) => e);
      expect(isFileXferError(error)).toBe(true);
      expect(['Expired', 'PermissionDenied', 'Unauthenticated']).toContain((error as { code: string }).code);
      expect(existsSync(dest)).toBe(false);
      assertNoSecrets(error, url);
    }, 30_000);

    test('concurrency', '20 concurrent uploads and downloads all arrive byte-exact', async () => {
      const sources = await Promise.all(Array.from({ length: 20 }, (_, i) => files.make(`many-${i}.bin`, 1000 * i + 1)));
      const ups = await Promise.all(sources.map((s, i) => manager.upload(s.path, { key: key(`many/${i}.bin`) })));
      const downs = await Promise.all(ups.map((u, i) => manager.download(u.url, files.path(`many-${i}.out`))));
      expect(downs.every((d) => d.isTransferred())).toBe(true);
      for (let i = 0; i < 20; i++) expect(await files.sha256Of(files.path(`many-${i}.out`))).toBe(sources[i]!.sha256);
    }, 120_000);
  });
}

async function expectCode(promise: Promise<FileInfo>, code: FileXferErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeDefined();
  expect((error as { code?: string }).code).toBe(code);
}

/** Partial-download files left beside `dest`. */
function leftovers(dest: string): string[] {
  const name = basename(dest);
  try {
    return readdirSync(dirname(dest)).filter((f) => f.startsWith(name) && f !== name);
  } catch {
    return [];
  }
}

/** Flips one character of the URL's signature parameter. */
export function tamper(url: string): string {
  const u = new URL(url);
  for (const [name, value] of u.searchParams) {
    if (/signature|^sig$/i.test(name) && value.length > 0) {
      const last = value[value.length - 1]!;
      u.searchParams.set(name, value.slice(0, -1) + (last === 'A' ? 'B' : 'A'));
      return u.toString();
    }
  }
  throw new Error(`no signature parameter in ${u.origin}${u.pathname}`);
}

/** No message, JSON or cause of `error` holds the URL's query (its signature). */
export function assertNoSecrets(error: unknown, url: string): void {
  const query = new URL(url).search.slice(1);
  const secrets = [...new URLSearchParams(query)].filter(([n]) => /signature|sig$|credential|token/i.test(n)).map(([, v]) => v);
  const text = [String((error as Error).message), JSON.stringify(error), String((error as { cause?: Error }).cause?.message ?? '')].join('\n');
  for (const secret of secrets) if (secret.length > 6) expect(text).not.toContain(secret);
}

function expectSkippedBecauseNoSignatures(name: string): void {
  // Reached only when a store reports checksSignatures: false without listing the case in `skip`.
  throw new Error(`${name} does not check signatures: list this case in \`skip\` with that reason.`);
}
