/**
 * The core conformance suite against fake-gcs-server (`pnpm emulators:start gcs`).
 * Part size: 256 KiB, the chunk multiple GCS resumable sessions require, so the
 * many-part cases run several chunks of a real session.
 */
import { runConformanceSuite } from '@filexfer/core/testing';
import { createBucket, emulatorAdapter } from './helpers.js';

runConformanceSuite({
  name: 'gcs on fake-gcs-server',
  createAdapter: async () => emulatorAdapter(await createBucket('conformance')),
  partSize: 256 * 1024,
  skip: {
    // fake-gcs-server accepts any X-Goog-Signature (it checks none), so a
    // tampered URL still downloads. Shown instead by src/protocol.test.ts,
    // whose GCS stand-in verifies V4 signatures with the key's public half.
    'tampered url': 'fake-gcs-server checks no URL signatures (covered by src/protocol.test.ts)',
    // Likewise it ignores X-Goog-Date/X-Goog-Expires; the unit test replays
    // GCS's 400 ExpiredToken reply instead.
    'expired url': 'fake-gcs-server checks no URL expiry (covered by src/protocol.test.ts)',
  },
});
