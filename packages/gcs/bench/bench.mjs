// GCS benchmark against fake-gcs-server: filexfer (signed PUT / resumable
// session chunks, signed GET) and the SDK's own helpers (bucket.upload(),
// file.download({ destination })) measured in the same run, each case in its
// own process. Needs the built packages (pnpm build) and the emulator
// (pnpm emulators:start gcs).
// argv: size in MiB (default 256), runs (default 3), chunk MiB (default 8, the engine's default part size).
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareWithPeer, makeTestFile, report, requireBuilt } from '../../../scripts/lib/bench-harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
requireBuilt(here);
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

const work = await mkdtemp(join(tmpdir(), 'fx-bench-gcs-'));
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
    extraArgs: [bucket, String(partMiB)],
    // The emulator keeps objects in memory: hold one run's worth at most.
    afterRound: async (keys) => {
      for (const key of keys) await fetch(`${endpoint}/storage/v1/b/${bucket}/o/${encodeURIComponent(key)}`, { method: 'DELETE' });
    },
  });
} finally {
  await fetch(`${endpoint}/storage/v1/b/${bucket}`, { method: 'DELETE' }).catch(() => undefined);
  await rm(work, { recursive: true, force: true });
}

const stamp = join(here, '..', '..', '..', '.tools', 'bin', 'fake-gcs-server.version');
const version = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : 'unknown version';
report('gcs', `gcs on fake-gcs-server (loopback), ${mib} MiB, ${partMiB} MiB chunks, median of ${runs} runs`, summary, {
  store: `fake-gcs-server ${version} on ${endpoint} (in-memory backend)`,
  sizeMiB: mib,
  chunkMiB: partMiB,
  peers: { upload: '@google-cloud/storage bucket.upload() (resumable, defaults)', download: '@google-cloud/storage file.download({ destination })' },
});
