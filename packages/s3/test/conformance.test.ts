/** The core conformance suite against MinIO (`pnpm emulators:start`). MinIO checks signatures and expiry, so nothing is skipped. */
import { runConformanceSuite } from '@filexfer/core/testing';
import { adapterFor, createBucket, type TestBucket } from './helpers.js';

let bucket: TestBucket | undefined;

runConformanceSuite({
  name: 's3 on MinIO',
  createAdapter: async () => {
    bucket = await createBucket('conformance');
    return adapterFor(bucket.name);
  },
  partSize: 5 * 1024 * 1024,
});

afterAll(async () => {
  await bucket?.remove();
});
