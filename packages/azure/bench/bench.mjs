/* global process */
// Azure benchmark against Azurite: filexfer and the SDK's own transfer
// helpers (BlockBlobClient.uploadFile / BlobClient.downloadToFile) measured in
// the same run, each case in its own process. Needs the built packages
// (pnpm build) and Azurite (pnpm emulators:start). argv: size in MiB (default 256), runs (default 3).
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BlobServiceClient } from '@azure/storage-blob';
import { compareWithPeer, makeTestFile, report, requireBuilt } from '../../../scripts/lib/bench-harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
requireBuilt(here);
const mib = Number(process.argv[2] ?? 256);
const runs = Number(process.argv[3] ?? 3);
const connectionString = process.env.FILEXFER_AZURE_CONNECTION_STRING ?? 'UseDevelopmentStorage=true';
const service = BlobServiceClient.fromConnectionString(connectionString);
const container = `fx-bench-${randomUUID().slice(0, 8)}`;
try {
  await service.getContainerClient(container).create();
} catch (error) {
  throw new Error(`Azurite is not reachable (${error.code ?? error.message}): start it with pnpm emulators:start.`);
}

const work = await mkdtemp(join(tmpdir(), 'fx-bench-azure-'));
let summary;
try {
  const file = join(work, `${mib}.bin`);
  const sha256 = await makeTestFile(file, mib);
  summary = await compareWithPeer({ benchDir: here, work, file, sha256, runs, extraArgs: [container] });
} finally {
  await service.getContainerClient(container).deleteIfExists();
  await rm(work, { recursive: true, force: true });
}

report('azure', `azure on Azurite (loopback), ${mib} MiB, median of ${runs} runs`, summary, {
  store: 'Azurite 3.35.0 on 127.0.0.1:10000',
  sizeMiB: mib,
  partSizeMiB: 8,
  concurrency: 4,
});
