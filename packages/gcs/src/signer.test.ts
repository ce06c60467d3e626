/**
 * The local V4 signer must give the very URL the SDK's URLSigner gives for the
 * same key, time and headers (RSA PKCS#1 v1.5 signatures are deterministic).
 */
import { generateKeyPairSync } from 'node:crypto';
import { Storage } from '@google-cloud/storage';
import { KeySigner, SdkSigner, type SignInput } from './signer.js';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const key = { client_email: 'signer@filexfer-test.iam.gserviceaccount.com', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
// A whole second in the future: the SDK refuses an expiry in the past, and V4 dates have no milliseconds.
const now = new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000);
const fixed = new Date('2026-01-02T03:04:05Z');
const day = (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, '');

let sdk: SdkSigner;
beforeAll(() => {
  // The SDK warns that `credentials` is deprecated: the reason KeySigner exists.
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  sdk = new SdkSigner(new Storage({ projectId: 'p', credentials: key }));
  warn.mockRestore();
});

const cases: Array<[string, Omit<SignInput, 'now'>]> = [
  ['GET of a key with spaces, unicode and reserved characters', { method: 'GET', bucket: 'b-1', key: "dir/a b+c(1)'*!~ü€?#.bin", expiresIn: 900, headers: {} }],
  ['PUT with content type, x-goog-hash and metadata', { method: 'PUT', bucket: 'b-1', key: 'x/y.bin', expiresIn: 3600, headers: { 'content-type': 'image/png', 'x-goog-hash': 'crc32c=AAAAAA==,md5=1B2M2Y8AsgTpgAmY7PhCfg==', 'x-goog-meta-owner': 'alice' } }],
  ['POST that starts a resumable session', { method: 'POST', bucket: 'b-1', key: 'big.mp4', expiresIn: 604800, headers: { 'x-goog-resumable': 'start', 'content-type': 'video/mp4' } }],
  ['DELETE', { method: 'DELETE', bucket: 'b-1', key: 'gone.txt', expiresIn: 300, headers: {} }],
];

test.each(cases)('%s: same URL as the SDK', async (_label, input) => {
  const mine = await new KeySigner('https://storage.googleapis.com', key).sign({ ...input, now });
  const theirs = await sdk.sign({ ...input, now });
  expect(mine).toBe(theirs);
  expect(mine).toMatch(/^https:\/\/storage\.googleapis\.com\/b-1\//);
  expect(new URL(mine).searchParams.get('X-Goog-Credential')).toBe(`${key.client_email}/${day(now)}/auto/storage/goog4_request`);
});

test('signed URLs point at the configured endpoint, and its host (with port) is the signed host', async () => {
  const url = new URL(await new KeySigner('http://127.0.0.1:4443', key).sign({ method: 'GET', bucket: 'b-1', key: 'k', expiresIn: 60, headers: {}, now: fixed }));
  expect(url.origin).toBe('http://127.0.0.1:4443');
  expect(url.pathname).toBe('/b-1/k');
  expect(url.searchParams.get('X-Goog-SignedHeaders')).toBe('host');
  expect(url.searchParams.get('X-Goog-Date')).toBe('20260102T030405Z');
  expect(url.searchParams.get('X-Goog-Expires')).toBe('60');
});
