// S3 benchmark against MinIO: filexfer and the SDK's own transfer helpers
// (@aws-sdk/lib-storage Upload; GetObject streamed to a file) measured in the
// same run, each case in its own process (peak RSS from
// process.resourceUsage().maxRSS). Needs the built packages (pnpm build) and
// MinIO (pnpm emulators:start). argv: size in MiB (default 256), runs (default 3).
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
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

const here = dirname(fileURLToPath(import.meta.url));
for (const pkg of ['../../core/dist/index.js', '../dist/index.js']) {
  if (!existsSync(join(here, pkg))) throw new Error(`${join(here, pkg)} is missing: build first (pnpm build at the repo root).`);
}
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
const file = join(work, `${mib}.bin`);
const handle = await open(file, 'w');
const chunk = randomBytes(1024 * 1024);
for (let i = 0; i < mib; i++) await handle.write(chunk.map((b, j) => b ^ (i + j) % 251));
await handle.close();
const sha = async (path) => {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c);
  return h.digest('hex');
};
const expected = await sha(file);

const run = (name, path, key) =>
  JSON.parse(
    execFileSync(process.execPath, [join(here, 'case.mjs'), name, path, key, bucket], { encoding: 'utf8', maxBuffer: 1 << 20 }).trim().split('\n').pop(),
  );
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const results = { 'filexfer-upload': [], 'sdk-upload': [], 'filexfer-download': [], 'sdk-download': [] };
try {
  for (let i = 0; i < runs; i++) {
    // Alternate who goes first so neither always meets a warm (or cold) MinIO.
    const order = i % 2 === 0 ? ['filexfer', 'sdk'] : ['sdk', 'filexfer'];
    for (const who of order) results[`${who}-upload`].push(run(`${who}-upload`, file, `${who}-${i}.bin`));
    for (const who of order) {
      const dest = join(work, `${who}-${i}.out`);
      results[`${who}-download`].push(run(`${who}-download`, dest, `${who}-${i}.bin`));
      if ((await sha(dest)) !== expected) throw new Error(`${who} download ${i} is not byte-exact`);
      await rm(dest);
    }
    // Keep MinIO's disk use to one run's objects.
    for (const who of order) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${who}-${i}.bin` }));
  }
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

const summary = Object.fromEntries(
  Object.entries(results).map(([name, xs]) => [
    name,
    { mbps: median(xs.map((x) => x.mbps)), maxRssMiB: Math.max(...xs.map((x) => x.maxRssMiB)), idleRssMiB: median(xs.map((x) => x.idleRssMiB)), runs: xs },
  ]),
);
const n = (x, w = 7) => x.toFixed(0).padStart(w);
const ratio = (a, b) => (a / b).toFixed(2).padStart(6);
console.log(`\ns3 on MinIO (loopback), ${mib} MiB, median of ${runs} runs, each case in its own process; ratio = filexfer / SDK`);
console.log('direction |  filexfer MB/s  peak RSS MiB (idle) |  SDK MB/s  peak RSS MiB (idle) | speed ratio | RSS ratio');
for (const dir of ['upload', 'download']) {
  const f = summary[`filexfer-${dir}`];
  const s = summary[`sdk-${dir}`];
  console.log(
    `${dir.padEnd(9)} | ${n(f.mbps, 13)}  ${n(f.maxRssMiB, 12)} (${n(f.idleRssMiB, 3)}) | ${n(s.mbps, 8)}  ${n(s.maxRssMiB, 12)} (${n(s.idleRssMiB, 3)}) | ${ratio(f.mbps, s.mbps)}      | ${ratio(f.maxRssMiB, s.maxRssMiB)}`,
  );
}
const out = join(here, '..', '..', '..', 'bench', 'results');
mkdirSync(out, { recursive: true });
const stamp = join(here, '..', '..', '..', '.tools', 'bin', 'minio.version');
const minio = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : 'unknown version';
writeFileSync(
  join(out, 's3.json'),
  JSON.stringify(
    {
      when: new Date().toISOString(),
      store: `MinIO ${minio} on ${endpoint}`,
      node: process.version,
      sizeMiB: mib,
      partSizeMiB: 8,
      concurrency: 4,
      peers: { upload: '@aws-sdk/lib-storage Upload (partSize 8 MiB, queueSize 4)', download: 'GetObject body piped to a file' },
      summary,
    },
    null,
    2,
  ),
);
console.log(`\nwrote ${join(out, 's3.json')}`);
