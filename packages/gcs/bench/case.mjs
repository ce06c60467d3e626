// One GCS benchmark case in its own process, so its peak RSS is its own.
// argv: <case> <file> <key> <bucket> <partMiB>; env: FILEXFER_GCS_ENDPOINT.
// Prints one JSON line. Uses the BUILT packages (dist/), as an application would.
import { generateKeyPairSync } from 'node:crypto';
import { Storage } from '@google-cloud/storage';
import { TransferManager } from '@filexfer/core';
import { GcsAdapter } from '@filexfer/gcs';
import { runBenchCase } from '../../../scripts/lib/bench-harness.mjs';

const [name, file, key, bucket, partMiB] = process.argv.slice(2);
const endpoint = process.env.FILEXFER_GCS_ENDPOINT ?? 'http://127.0.0.1:4443';
// fake-gcs-server checks no signature; the adapter still signs every URL (RSA) as it would for GCS.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const credentials = { client_email: 'bench@filexfer-bench.iam.gserviceaccount.com', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
// The peer uses the SDK as an application would, with its defaults (it sends no credentials to a custom endpoint).
const storage = new Storage({ apiEndpoint: endpoint, projectId: 'filexfer-bench' });

await runBenchCase({
  name,
  file,
  key,
  adapter: new GcsAdapter({ bucket, apiEndpoint: endpoint, credentials }),
  TransferManager,
  partSize: Number(partMiB) * 1024 * 1024,
  peers: {
    // bucket.upload(), a resumable upload with CRC32C validation by default.
    'sdk-upload': async () => {
      const [f] = await storage.bucket(bucket).upload(file, { destination: key });
      return Number(f.metadata.size);
    },
    // file.download({ destination }), validated against the stored CRC32C.
    'sdk-download': async () => {
      const f = storage.bucket(bucket).file(key);
      await f.download({ destination: file });
      return Number((await f.getMetadata())[0].size);
    },
  },
});
