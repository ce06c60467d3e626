// S3 benchmark against MinIO: filexfer and the SDK's own transfer helpers
// (@aws-sdk/lib-storage Upload; GetObject streamed to a file) measured in the
// same run, each case in its own process. Needs the built packages (pnpm build)
// and MinIO (pnpm emulators:start). argv: size in MiB (default 256), runs (default 3).
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { compareWithPeer, makeTestFile, report, requireBuilt } from '../../../scripts/lib/bench-harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
requireBuilt(here);
const mib = Number(process.argv[2] ?? 256);
const runs = Number(process.argv[3] ?? 3);
const endpoint = process.env.FILEXFER_S3_ENDPOINT ?? 'http://127.0.0.1:9000';
const credentials = { accessKeyId: process.env.FILEXFER_S3_ACCESS_KEY ?? 'filexfer', secretAccessKey: process.env.FILEXFER_S3_SECRET_KEY ?? 'filexfer-secret' };
const client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials });
const bucket = `fx-bench-${randomUUID().slice(0, 8)}`;
try {
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
} catch (error) {
  throw new Error(`MinIO is not reachable at ${endpoint} (${error.code ?? error.name ?? error.message}): start it with pnpm emulators:start.`);
}

const work = await mkdtemp(join(tmpdir(), 'fx-bench-s3-'));
let summary;
try {
  const file = join(work, `${mib}.bin`);
  const sha256 = await makeTestFile(file, mib);
  summary = await compareWithPeer({
    benchDir: here,
    work,
    file,
    sha256,
    runs,
    extraArgs: [bucket],
    // Keep MinIO's disk use to one run's objects.
    afterRound: async (keys) => {
      for (const Key of keys) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key }));
    },
  });
} finally {
  for (const u of (await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }));
  }
  for (const o of (await client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []) {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key }));
  }
  await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  client.destroy();
  await rm(work, { recursive: true, force: true });
}

const stamp = join(here, '..', '..', '..', '.tools', 'bin', 'minio.version');
const minio = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : 'unknown version';
report('s3', `s3 on MinIO (loopback), ${mib} MiB, median of ${runs} runs`, summary, {
  store: `MinIO ${minio} on ${endpoint}`,
  sizeMiB: mib,
  partSizeMiB: 8,
  concurrency: 4,
  peers: { upload: '@aws-sdk/lib-storage Upload (partSize 8 MiB, queueSize 4)', download: 'GetObject body piped to a file' },
});
