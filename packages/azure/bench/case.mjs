/* global process */
// One Azure benchmark case in its own process, so its peak RSS is its own.
// argv: <case> <file> <key> <container>; env: FILEXFER_AZURE_CONNECTION_STRING.
// Prints one JSON line. Uses the BUILT packages (dist/), as an application would.
import { BlobServiceClient } from '@azure/storage-blob';
import { TransferManager } from '@filexfer/core';
import { AzureAdapter } from '@filexfer/azure';
import { runBenchCase } from '../../../scripts/lib/bench-harness.mjs';

// Same part size and parallelism for both sides: TransferManager's defaults.
const PART = 8 * 1024 * 1024;
const CONCURRENCY = 4;

const [name, file, key, container] = process.argv.slice(2);
const connectionString = process.env.FILEXFER_AZURE_CONNECTION_STRING ?? 'UseDevelopmentStorage=true';
const blob = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container).getBlockBlobClient(key);

await runBenchCase({
  name,
  file,
  key,
  adapter: new AzureAdapter({ container, connectionString }),
  TransferManager,
  partSize: PART,
  partConcurrency: CONCURRENCY,
  peers: {
    // @azure/storage-blob's own parallel block upload, same block size and concurrency.
    'sdk-upload': async () => {
      await blob.uploadFile(file, { blockSize: PART, concurrency: CONCURRENCY, maxSingleShotSize: PART });
      return (await blob.getProperties()).contentLength;
    },
    'sdk-download': async () => (await blob.downloadToFile(file)).contentLength,
  },
});
