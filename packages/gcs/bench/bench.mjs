// GCS benchmark against fake-gcs-server: filexfer (signed PUT / resumable
// session chunks, signed GET) and the SDK's own helpers (bucket.upload(),
// file.download({ destination })) measured in the same run, each case in its
// own process (peak RSS from process.resourceUsage().maxRSS). Needs the built
// packages (pnpm build) and the emulator (pnpm emulators:start gcs).
// argv: size in MiB (default 256), runs (default 3), chunk MiB (default 8, the engine's default part size).
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
for (const pkg of ['../../core/dist/index.js', '../dist/index.js']) {
  if (!existsSync(join(here, pkg))) throw new Error(`${join(here, pkg)} is missing: build first (pnpm build at the repo root).`);
}
const mib = Number(process.argv[2] ?? 256);
const runs = Number(process.argv[3] ?? 3);
const partMiB = Number(process.argv[4] ?? 8);
const endpoint = process.env.FILEXFER_GCS_ENDPOINT ?? 'http://127.0.0.1:4443';
const bucket = `fx-bench-${randomUUID().slice(0, 8)}`;
try {
  const res = await fetch(`${endpoint}/storage/v1/b?project=filexfer-bench`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: bucket }) });
  if (!res.ok) throw new Error(`answered ${res.status}`);
} catch (error) {
  throw new Error(`fake-gcs-server is not reachable at ${endpoint} (${error.cause?.code ?? error.message}): start it with pnpm emulators:start gcs.`);
}
const removeObject = (key) => fetch(`${endpoint}/storage/v1/b/${bucket}/o/${encodeURIComponent(key)}`, { method: 'DELETE' });

const work = await mkdtemp(join(tmpdir(), 'fx-bench-gcs-'));
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
    execFileSync(process.execPath, [join(here, 'case.mjs'), name, path, key, bucket, String(partMiB)], { encoding: 'utf8', maxBuffer: 1 << 20 }).trim().split('\n').pop(),
  );
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const results = { 'filexfer-upload': [], 'sdk-upload': [], 'filexfer-download': [], 'sdk-download': [] };
try {
  for (let i = 0; i < runs; i++) {
    // Alternate who goes first so neither always meets a warm (or cold) emulator.
    const order = i % 2 === 0 ? ['filexfer', 'sdk'] : ['sdk', 'filexfer'];
    for (const who of order) results[`${who}-upload`].push(run(`${who}-upload`, file, `${who}-${i}.bin`));
    for (const who of order) {
      const dest = join(work, `${who}-${i}.out`);
      results[`${who}-download`].push(run(`${who}-download`, dest, `${who}-${i}.bin`));
      if ((await sha(dest)) !== expected) throw new Error(`${who} download ${i} is not byte-exact`);
      await rm(dest);
    }
    // The emulator keeps objects in memory: hold one run's worth at most.
    for (const who of order) await removeObject(`${who}-${i}.bin`);
  }
} finally {
  await fetch(`${endpoint}/storage/v1/b/${bucket}`, { method: 'DELETE' }).catch(() => undefined);
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
console.log(`\ngcs on fake-gcs-server (loopback), ${mib} MiB, ${partMiB} MiB chunks, median of ${runs} runs, each case in its own process; ratio = filexfer / SDK`);
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
const stamp = join(here, '..', '..', '..', '.tools', 'bin', 'fake-gcs-server.version');
const version = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : 'unknown version';
writeFileSync(
  join(out, 'gcs.json'),
  JSON.stringify(
    {
      when: new Date().toISOString(),
      store: `fake-gcs-server ${version} on ${endpoint} (in-memory backend)`,
      node: process.version,
      sizeMiB: mib,
      chunkMiB: partMiB,
      peers: { upload: '@google-cloud/storage bucket.upload() (resumable, defaults)', download: '@google-cloud/storage file.download({ destination })' },
      summary,
    },
    null,
    2,
  ),
);
console.log(`\nwrote ${join(out, 'gcs.json')}`);
