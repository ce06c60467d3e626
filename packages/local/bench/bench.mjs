// Local store benchmark: filexfer against peers measured in the same run.
// Peers: a single streaming PUT/GET (the speed floor an engine with parts,
// checksums and retries is measured against) and a buffered upload (what
// memory looks like when the file is read whole). Sizes in MiB: argv or 256,1024.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalServer } from '@filexfer/local';
import { makeTestFile } from '../../../scripts/lib/bench-harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const sizes = (process.argv[2] ?? '256,1024').split(',').map(Number);
const work = await mkdtemp(join(tmpdir(), 'fx-bench-local-'));
const server = await startLocalServer({ root: join(work, 'store') });
const env = { ...process.env, FX_ENDPOINT: server.url, FX_SECRET: server.secret };
// Async, so this process keeps serving the store while a case runs.
const run = async (name, file, key) => {
  const { stdout } = await promisify(execFile)(process.execPath, [join(here, 'case.mjs'), name, file, key], { env, encoding: 'utf8' });
  return JSON.parse(stdout.trim().split('\n').pop());
};

const rows = [];
try {
  for (const mib of sizes) {
    const file = join(work, `${mib}.bin`);
    await makeTestFile(file, mib);
    const results = {
      upload: await run('filexfer-upload', file, `fx-${mib}`),
      streamUpload: await run('stream-upload', file, `stream-${mib}`),
      bufferedUpload: mib <= 1024 ? await run('buffered-upload', file, `buf-${mib}`) : undefined,
      download: await run('filexfer-download', join(work, `dl-fx-${mib}`), `fx-${mib}`),
      streamDownload: await run('stream-download', join(work, `dl-stream-${mib}`), `fx-${mib}`),
    };
    rows.push({ mib, ...results });
    await rm(file);
  }
} finally {
  await server.close();
  await rm(work, { recursive: true, force: true });
}

const f = (n) => n.toFixed(0).padStart(6);
const r = (n) => n.toFixed(2).padStart(5);
console.log('\nlocal store (loopback), each case in its own process; ratio = filexfer / peer');
console.log('size MiB | filexfer up MB/s  RSS MiB | stream PUT MB/s  RSS | buffered PUT RSS | up speed ratio | filexfer down MB/s  RSS | stream GET MB/s | down speed ratio');
for (const x of rows) {
  console.log(
    `${String(x.mib).padStart(8)} | ${f(x.upload.mbps)}          ${f(x.upload.maxRssMiB)} | ${f(x.streamUpload.mbps)}        ${f(x.streamUpload.maxRssMiB)} | ${x.bufferedUpload ? f(x.bufferedUpload.maxRssMiB) : '     -'}           | ${r(x.upload.mbps / x.streamUpload.mbps)}          | ${f(x.download.mbps)}            ${f(x.download.maxRssMiB)} | ${f(x.streamDownload.mbps)}        | ${r(x.download.mbps / x.streamDownload.mbps)}`,
  );
}
const out = join(here, '..', '..', '..', 'bench', 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'local.json'), JSON.stringify({ when: new Date().toISOString(), rows }, null, 2));
