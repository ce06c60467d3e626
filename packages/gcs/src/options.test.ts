import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFileXferError } from '@filexfer/core';
import { GcsAdapter, type GcsAdapterOptions } from './index.js';
import { checkMetadata, checkObjectKey } from './options.js';

const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const key = { client_email: 'signer@p.iam.gserviceaccount.com', private_key: pem };
const dir = mkdtempSync(join(tmpdir(), 'filexfer-gcs-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refused(options: unknown, pattern: RegExp): void {
  let error: unknown;
  try {
    new GcsAdapter(options as GcsAdapterOptions);
  } catch (e) {
    error = e;
  }
  expect(isFileXferError(error, 'InvalidInput')).toBe(true);
  expect((error as Error).message).toMatch(pattern);
}

describe('construction', () => {
  test('a missing bucket says the option is required and shows how', () => {
    refused({ credentials: key }, /`bucket` is required.*new GcsAdapter\(\{ bucket:/);
    refused(undefined, /needs an options object/);
  });

  test('an invalid bucket name links to the naming rules', () => {
    for (const bucket of ['UPPER', 'a', 'has space', '-dash-first', 'googlebucket', '192.168.0.1']) refused({ bucket, credentials: key }, /not a valid bucket name.*buckets#naming/);
  });

  test('credentials without a private key: signed URLs need a service-account key, and how to make one', () => {
    const noKey = { client_email: 'x@p.iam.gserviceaccount.com' };
    refused({ bucket: 'b-1', credentials: noKey }, /no private_key.*cannot sign URLs.*gcloud iam service-accounts keys create.*keyFilename/s);
    refused({ bucket: 'b-1', credentials: { type: 'authorized_user', client_id: 'x', refresh_token: 'y' } }, /authorized_user credentials, which have no private key/);
    refused({ bucket: 'b-1', credentials: { client_email: 'x@p', private_key: 'not a pem' } }, /not a PEM private key/);
    refused({ bucket: 'b-1', credentials: { private_key: pem } }, /no client_email/);
  });

  test('keyFilename is read and checked at construction', () => {
    refused({ bucket: 'b-1', keyFilename: join(dir, 'missing.json') }, /cannot read keyFilename.*ENOENT/);
    const user = join(dir, 'user.json');
    writeFileSync(user, JSON.stringify({ type: 'authorized_user', client_id: 'a', client_secret: 'b', refresh_token: 'c' }));
    refused({ bucket: 'b-1', keyFilename: user }, /authorized_user credentials.*service-accounts keys create/s);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ not json');
    refused({ bucket: 'b-1', keyFilename: broken }, /not valid JSON/);
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ type: 'service_account', ...key }));
    expect(new GcsAdapter({ bucket: 'b-1', keyFilename: good }).bucketName).toBe('b-1');
  });

  test('conflicting or malformed options', () => {
    refused({ bucket: 'b-1', credentials: key, keyFilename: 'x.json' }, /either `credentials` or `keyFilename`/);
    refused({ bucket: 'b-1', apiEndpoint: '127.0.0.1:4443', credentials: key }, /with its scheme|must be http/);
    refused({ bucket: 'b-1', apiEndpoint: 'not a url', credentials: key }, /not a URL/);
    refused({ bucket: 'b-1', credentials: key, requestTimeoutMs: 0 }, /requestTimeoutMs/);
  });

  test('a loopback endpoint is taken for fake-gcs-server unless told otherwise; Cloud Storage never is', () => {
    const emulated = new GcsAdapter({ bucket: 'b-1', apiEndpoint: 'http://127.0.0.1:4443', credentials: key });
    expect(emulated.emulator).toBe(true);
    expect(emulated.capabilities).toMatchObject({ checksSignatures: false, resumableUploads: false, parallelParts: false, partSizeMultiple: 256 * 1024 });
    expect(new GcsAdapter({ bucket: 'b-1', apiEndpoint: 'http://127.0.0.1:4443', credentials: key, emulator: false }).emulator).toBe(false);
    const real = new GcsAdapter({ bucket: 'b-1', credentials: key });
    expect(real.emulator).toBe(false);
    expect(real.endpoint).toBe('https://storage.googleapis.com');
    expect(real.capabilities).toMatchObject({ checksSignatures: true, resumableUploads: true });
  });
});

describe('object names GCS refuses', () => {
  test.each([
    ['empty', '', /non-empty/],
    ['a line feed', 'a\nb', /carriage return or line feed/],
    ['a carriage return', 'a\rb', /carriage return or line feed/],
    ['"."', '.', /cannot be object names/],
    ['".."', '..', /cannot be object names/],
    ['the ACME challenge prefix', '.well-known/acme-challenge/x', /reserved/],
    ['1025 ASCII bytes', 'x'.repeat(1025), /longer than 1024 bytes/],
    ['1026 UTF-8 bytes in 513 characters', 'é'.repeat(513), /longer than 1024 bytes/],
    ['a lone surrogate', 'bad\uD800', /lone surrogate/],
  ])('%s', (_label, name, pattern) => {
    let error: unknown;
    try {
      checkObjectKey(name, 'upload');
    } catch (e) {
      error = e;
    }
    expect(isFileXferError(error, 'InvalidInput')).toBe(true);
    expect((error as Error).message).toMatch(pattern);
    expect((error as Error).message).toMatch(/objects#naming/);
  });

  test('ordinary names with slashes, spaces and unicode are fine', () => {
    for (const name of ['a/b/c.txt', 'with space.bin', 'ünïcödé/文件.txt', 'x'.repeat(1024)]) expect(checkObjectKey(name, 'upload')).toBe(name);
  });

  test('the adapter refuses them before signing anything', async () => {
    const adapter = new GcsAdapter({ bucket: 'b-1', credentials: key });
    await expect(adapter.presignDownload('a\nb')).rejects.toMatchObject({ code: 'InvalidInput' });
    await expect(adapter.createUpload({ key: '..', size: 1, expiresIn: 60, partSize: 1024 })).rejects.toMatchObject({ code: 'InvalidInput' });
  });
});

test('metadata travels in x-goog-meta- headers, so it must be header-safe', () => {
  expect(checkMetadata({ Owner: 'alice', 'chat-id': '42' })).toEqual({ 'x-goog-meta-owner': 'alice', 'x-goog-meta-chat-id': '42' });
  expect(() => checkMetadata({ 'bad name': 'x' })).toThrow(/letters, digits/);
  expect(() => checkMetadata({ note: 'héllo' })).toThrow(/printable ASCII.*encodeURIComponent/);
});

test('expiry outside 1 s .. 7 days is refused', async () => {
  const adapter = new GcsAdapter({ bucket: 'b-1', credentials: key });
  await expect(adapter.presignDownload('k', { expiresIn: 604801 })).rejects.toMatchObject({ code: 'InvalidInput' });
  await expect(adapter.presignDownload('k', { expiresIn: 0 })).rejects.toMatchObject({ code: 'InvalidInput' });
  await expect(adapter.presignDownload('k', { expiresIn: 604800 })).resolves.toMatch(/X-Goog-Expires=604800/);
});

test('a Storage client passed in signs through the SDK, on its own endpoint', async () => {
  const { Storage } = await import('@google-cloud/storage');
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined); // the SDK's `credentials` deprecation notice
  const storage = new Storage({ apiEndpoint: 'http://127.0.0.1:4443', projectId: 'p', credentials: key });
  warn.mockRestore();
  refused({ bucket: 'b-1', storage, credentials: key }, /either `storage` or `credentials`/);
  const adapter = new GcsAdapter({ bucket: 'b-1', storage });
  expect(adapter.emulator).toBe(true);
  const url = new URL(await adapter.presignDownload('a b.txt', { expiresIn: 60 }));
  expect(`${url.origin}${url.pathname}`).toBe('http://127.0.0.1:4443/b-1/a%20b.txt');
  expect(url.searchParams.get('X-Goog-Credential')).toMatch(/^signer@p\.iam\.gserviceaccount\.com\//);
});
