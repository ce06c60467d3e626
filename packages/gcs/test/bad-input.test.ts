/** Bad input against fake-gcs-server: each a FileXferError that says what to do, sent before any byte moves. */
import { isFileXferError, TransferManager } from '@filexfer/core';
import { GcsAdapter } from '../src/index.js';
import { createBucket, emulatorAdapter, GCS_ENDPOINT, patterned, RecordingTransport, requireEmulator, tempDir } from './helpers.js';

let files: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  await requireEmulator();
  files = await tempDir();
});
afterAll(() => files.cleanup());

test.each([
  ['a single PUT', 10_000],
  ['a resumable session', 2 * 1024 * 1024],
])('a bucket that does not exist (%s) is NotFound, says how to fix it, and sends no bytes', async (_label, size) => {
  const adapter = emulatorAdapter('filexfer-no-such-bucket');
  const transport = new RecordingTransport();
  const manager = new TransferManager({ adapter, transport, partSize: 1024 * 1024, retry: { retries: 0 } });
  const path = await files.file(`nobucket-${size}.bin`, patterned(size));
  const error = await manager.upload(path, { key: 'x.bin' }).catch((e: unknown) => e);
  await manager.close();
  expect(isFileXferError(error, 'NotFound')).toBe(true);
  expect((error as Error).message).toMatch(/bucket "filexfer-no-such-bucket" does not exist.*Create it.*or fix the `bucket` option/);
  expect(transport.sent).toHaveLength(0);
});

test.each([
  ['a line feed', 'a\nb.txt'],
  ['"."', '.'],
  ['more than 1024 bytes', 'k'.repeat(1025)],
])('a key GCS refuses (%s) is InvalidInput before any request', async (_label, key) => {
  const adapter = emulatorAdapter(await createBucket('badkey'));
  const transport = new RecordingTransport();
  const manager = new TransferManager({ adapter, transport });
  const path = await files.file('badkey.bin', patterned(100));
  const error = await manager.upload(path, { key }).catch((e: unknown) => e);
  await manager.close();
  expect(isFileXferError(error, 'InvalidInput')).toBe(true);
  expect((error as Error).message).toMatch(/GCS refuses the object name.*objects#naming/s);
  expect(transport.sent).toHaveLength(0);
});

test('credentials without a private key: a clear error at construction saying signed URLs need a service-account key', () => {
  const build = () => new GcsAdapter({ bucket: 'b-1', apiEndpoint: GCS_ENDPOINT, credentials: { client_email: 'x@p.iam.gserviceaccount.com' } as never });
  expect(build).toThrow(/no private_key, so it cannot sign URLs.*service account's private key.*gcloud iam service-accounts keys create/s);
  try {
    build();
  } catch (error) {
    expect(isFileXferError(error, 'InvalidInput')).toBe(true);
  }
});
