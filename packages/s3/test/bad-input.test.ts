/**
 * Bad input (issue 5, point 8) against MinIO: each a clear FileXferError, and
 * no multipart upload left open behind it (checked with ListMultipartUploads).
 */
import { appendFileSync } from 'node:fs';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { isFileXferError, TransferManager, type StorageAdapter } from '@filexfer/core';
import { TestFiles } from '@filexfer/core/testing';
import { adapterFor, createBucket, CREDENTIALS, type TestBucket } from './helpers.js';

const MiB = 1024 * 1024;
const partSize = 5 * MiB;
let bucket: TestBucket;
let files: TestFiles;
let small: { path: string };
let large: { path: string };

beforeAll(async () => {
  bucket = await createBucket('badinput');
  files = await TestFiles.create();
  small = await files.make('small.bin', 1000);
  large = await files.make('large.bin', 3 * partSize);
});

afterAll(async () => {
  await files?.remove();
  await bucket?.remove();
});

async function uploadError(adapter: StorageAdapter, path: string, key: string, options: { onProgress?: (p: { bytesTransferred: number }) => void } = {}) {
  const m = new TransferManager({ adapter, partSize, partConcurrency: 1, retry: { retries: 1, baseDelayMs: 10, maxDelayMs: 20 }, progressIntervalMs: 0 });
  try {
    const result = await m.upload(path, { key, ...options }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(result).toBeDefined();
    return result as Error & { code: string; retryable: boolean };
  } finally {
    await m.close();
  }
}

describe('a bucket that does not exist', () => {
  const missing = `fx-missing-${Date.now()}`;

  it.each([
    ['single PUT', () => small.path],
    ['multipart', () => large.path],
  ])('%s: NotFound naming the bucket and what to do, and nothing created', async (_label, path) => {
    const adapter = adapterFor(missing);
    const error = await uploadError(adapter, path(), 'x.bin');
    expect(isFileXferError(error, 'NotFound')).toBe(true);
    expect(error.message).toContain(`"${missing}"`);
    expect(error.message).toMatch(/create (it|the bucket)/);
    await expect(bucket.client.send(new HeadBucketCommand({ Bucket: missing }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    expect(await adapter.stat('x.bin').catch((e: unknown) => e)).toMatchObject({ code: 'NotFound', message: expect.stringContaining(missing) });
    await adapter.close();
  });
});

describe('wrong credentials', () => {
  it.each([
    ['a wrong secret', { ...CREDENTIALS, secretAccessKey: 'not-the-secret' }, 'SignatureDoesNotMatch'],
    ['an unknown access key', { accessKeyId: 'nobody', secretAccessKey: 'whatever-secret' }, 'InvalidAccessKeyId'],
  ])('%s: Unauthenticated, not retried, and no upload left open', async (_label, credentials, s3Code) => {
    const adapter = adapterFor(bucket.name, { credentials });
    for (const [path, key] of [
      [small.path, 'creds/small.bin'],
      [large.path, 'creds/large.bin'],
    ] as const) {
      const error = await uploadError(adapter, path, key);
      expect(isFileXferError(error, 'Unauthenticated')).toBe(true);
      expect(error.retryable).toBe(false);
      expect(error.message).toContain(s3Code);
      expect(error.message).not.toContain(credentials.secretAccessKey);
    }
    expect(await bucket.openUploads('creds/')).toEqual([]);
    expect(await bucket.keys('creds/')).toEqual([]);
    await adapter.close();
  });
});

describe('a key over 1,024 bytes', () => {
  it.each([
    ['ASCII', 'k'.repeat(1025)],
    ['multi-byte UTF-8 (342 characters, 1,026 bytes)', '€'.repeat(342)],
  ])('%s: InvalidInput before anything is created', async (_label, key) => {
    const adapter = adapterFor(bucket.name);
    for (const path of [small.path, large.path]) {
      const error = await uploadError(adapter, path, key);
      expect(isFileXferError(error, 'InvalidInput')).toBe(true);
      expect(error.message).toMatch(/at most 1024 bytes/);
    }
    expect(await bucket.openUploads()).toEqual([]);
    await adapter.close();
  });

  it('a key of exactly 1,024 bytes is accepted', async () => {
    const adapter = adapterFor(bucket.name);
    // MinIO keeps keys as paths, so no segment may pass 255 bytes.
    const key = `${'s'.repeat(200)}/`.repeat(5) + 'k'.repeat(19);
    expect(Buffer.byteLength(key)).toBe(1024);
    const m = new TransferManager({ adapter, partSize });
    const up = await m.upload(large.path, { key });
    await m.close();
    expect(await adapter.stat(up.key)).toMatchObject({ size: 3 * partSize });
    await adapter.close();
  });
});

describe('a file that changes size while uploading', () => {
  it('fails with InvalidInput saying so, and aborts the multipart upload', async () => {
    const growing = await files.make('growing.bin', 4 * partSize);
    const adapter = adapterFor(bucket.name);
    let grown = false;
    const error = await uploadError(adapter, growing.path, 'changing/growing.bin', {
      onProgress: (p) => {
        if (!grown && p.bytesTransferred > 0) {
          grown = true;
          appendFileSync(growing.path, Buffer.alloc(1234, 1));
        }
      },
    });
    expect(grown).toBe(true);
    expect(isFileXferError(error, 'InvalidInput')).toBe(true);
    expect(error.message).toMatch(/changed size/);
    expect(await bucket.openUploads('changing/')).toEqual([]);
    expect(await adapter.stat('changing/growing.bin')).toBeNull();
    await adapter.close();
  });
});
