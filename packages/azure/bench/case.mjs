/* global process, console, performance */
// One Azure benchmark case in its own process, so its peak RSS is its own.
// argv: <case> <file> <key> <container>; env: FILEXFER_AZURE_CONNECTION_STRING.
// Prints one JSON line. Uses the BUILT packages (dist/), as an application would.
import { BlobServiceClient } from '@azure/storage-blob';
import { TransferManager } from '@filexfer/core';
import { AzureAdapter } from '@filexfer/azure';

const MiB = 1024 * 1024;
// Same part size and parallelism for both sides: TransferManager's defaults.
const PART = 8 * MiB;
const CONCURRENCY = 4;

const [name, file, key, container] = process.argv.slice(2);
const connectionString = process.env.FILEXFER_AZURE_CONNECTION_STRING ?? 'UseDevelopmentStorage=true';
const adapter = new AzureAdapter({ container, connectionString });
const blob = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container).getBlockBlobClient(key);
// Peak RSS of the process with everything loaded, before any byte moves.
const idleRssMiB = process.resourceUsage().maxRSS / 1024;
const started = performance.now();
let bytes = 0;

switch (name) {
  case 'filexfer-upload': {
    const m = new TransferManager({ adapter, partSize: PART, partConcurrency: CONCURRENCY });
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
    // The peer: @azure/storage-blob's own parallel block upload, same block size and concurrency.
    await blob.uploadFile(file, { blockSize: PART, concurrency: CONCURRENCY, maxSingleShotSize: PART });
    bytes = (await blob.getProperties()).contentLength;
    break;
  }
  case 'sdk-download': {
    const res = await blob.downloadToFile(file);
    bytes = res.contentLength;
    break;
  }
  default:
    throw new Error(`unknown case ${name}`);
}
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ name, bytes, seconds, mbps: bytes / 1e6 / seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024, idleRssMiB }));
