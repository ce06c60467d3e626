import { CreateMultipartUploadCommand } from '@aws-sdk/client-s3';
import { createBucket, sdkClient, type TestBucket } from './helpers.js';

// Guards the guard: the "no multipart upload left open" checks elsewhere rely on
// openUploads(prefix) seeing an upload that is open under that prefix.
let bucket: TestBucket;
beforeAll(async () => {
  bucket = await createBucket('open-uploads');
});
afterAll(async () => bucket.remove());

test('openUploads finds an open upload by folder prefix, by key, and with no prefix', async () => {
  await sdkClient().send(new CreateMultipartUploadCommand({ Bucket: bucket.name, Key: 'multi/left-open.bin' }));
  for (const prefix of ['multi/', 'multi/left', 'multi/left-open.bin', undefined]) {
    expect((await bucket.openUploads(prefix)).map((u) => u.Key)).toEqual(['multi/left-open.bin']);
  }
  expect(await bucket.openUploads('other/')).toEqual([]);
});
