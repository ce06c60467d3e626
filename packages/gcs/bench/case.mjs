// One GCS benchmark case in its own process, so its peak RSS is its own.
// argv: <case> <file> <key> <bucket> <partMiB>; env: FILEXFER_GCS_ENDPOINT.
// Prints one JSON line. Uses the BUILT packages (dist/), as an application would.
import { generateKeyPairSync } from 'node:crypto';
import { Storage } from '@google-cloud/storage';
import { TransferManager } from '@filexfer/core';
import { GcsAdapter } from '@filexfer/gcs';

const MiB = 1024 * 1024;
const [name, file, key, bucket, partMiB] = process.argv.slice(2);
const endpoint = process.env.FILEXFER_GCS_ENDPOINT ?? 'http://127.0.0.1:4443';
// fake-gcs-server checks no signature; the adapter still signs every URL (RSA) as it would for GCS.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const credentials = { client_email: 'bench@filexfer-bench.iam.gserviceaccount.com', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
const adapter = new GcsAdapter({ bucket, apiEndpoint: endpoint, credentials });
// The peer uses the SDK as an application would, with its defaults (it sends no credentials to a custom endpoint).
const storage = new Storage({ apiEndpoint: endpoint, projectId: 'filexfer-bench' });
// Peak RSS of the process with everything loaded, before any byte moves.
const idleRssMiB = process.resourceUsage().maxRSS / 1024;
const started = performance.now();
let bytes = 0;

switch (name) {
  case 'filexfer-upload': {
    const m = new TransferManager({ adapter, partSize: Number(partMiB) * MiB });
    bytes = (await m.upload(file, { key })).size;
    await m.close();
    break;
  }
  case 'filexfer-download': {
    const url = await adapter.presignDownload(key);
    const m = new TransferManager({ adapter });
    bytes = (await m.download(url, file)).size;
    await m.close();
    break;
  }
  case 'sdk-upload': {
    // The peer: bucket.upload(), a resumable upload with CRC32C validation by default.
    const [f] = await storage.bucket(bucket).upload(file, { destination: key });
    bytes = Number(f.metadata.size);
    break;
  }
  case 'sdk-download': {
    // The peer: file.download({ destination }), validated against the stored CRC32C.
    const f = storage.bucket(bucket).file(key);
    await f.download({ destination: file });
    bytes = Number((await f.getMetadata())[0].size);
    break;
  }
  default:
    throw new Error(`unknown case ${name}`);
}
const seconds = (performance.now() - started) / 1000;
await adapter.close();
console.log(JSON.stringify({ name, bytes, seconds, mbps: bytes / 1e6 / seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024, idleRssMiB }));
