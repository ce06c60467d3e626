// The benchmark harness every store's bench shares: a test file of known bytes,
// rounds that alternate filexfer and the store's SDK peer (each case in its own
// process, so peak RSS is its own), byte-exact checks of every download,
// medians, the ratio table and bench/results/<name>.json.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Fails with what to do when the built packages a bench imports are missing. */
export function requireBuilt(benchDir) {
  for (const pkg of ['../../core/dist/index.js', '../dist/index.js']) {
    if (!existsSync(join(benchDir, pkg))) throw new Error(`${join(benchDir, pkg)} is missing: build first (pnpm build at the repo root).`);
  }
}

/** Writes `mib` MiB of varied random bytes to `path`; returns its SHA-256. */
export async function makeTestFile(path, mib) {
  const handle = await open(path, 'w');
  const chunk = randomBytes(1024 * 1024);
  for (let i = 0; i < mib; i++) await handle.write(chunk.map((b, j) => b ^ (i + j) % 251));
  await handle.close();
  return sha256File(path);
}

export async function sha256File(path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest('hex');
}

/** Runs `case.mjs <name> <path> <key> ...extraArgs` in its own process and returns its JSON line. */
export async function runCase(benchDir, name, path, key, extraArgs = []) {
  const { stdout } = await promisify(execFile)(process.execPath, [join(benchDir, 'case.mjs'), name, path, key, ...extraArgs], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop());
}

/**
 * `runs` rounds of upload then download for filexfer and the SDK peer, who goes
 * first alternating so neither always meets a warm (or cold) store. Every
 * download is checked byte-exact; `afterRound(keys)` may delete the round's objects.
 */
export async function compareWithPeer({ benchDir, work, file, sha256, runs, extraArgs = [], afterRound }) {
  const results = { 'filexfer-upload': [], 'sdk-upload': [], 'filexfer-download': [], 'sdk-download': [] };
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? ['filexfer', 'sdk'] : ['sdk', 'filexfer'];
    for (const who of order) results[`${who}-upload`].push(await runCase(benchDir, `${who}-upload`, file, `${who}-${i}.bin`, extraArgs));
    for (const who of order) {
      const dest = join(work, `${who}-${i}.out`);
      results[`${who}-download`].push(await runCase(benchDir, `${who}-download`, dest, `${who}-${i}.bin`, extraArgs));
      if ((await sha256File(dest)) !== sha256) throw new Error(`${who} download ${i} is not byte-exact`);
      await rm(dest);
    }
    await afterRound?.(order.map((who) => `${who}-${i}.bin`));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return Object.fromEntries(
    Object.entries(results).map(([name, xs]) => [
      name,
      { mbps: median(xs.map((x) => x.mbps)), maxRssMiB: Math.max(...xs.map((x) => x.maxRssMiB)), idleRssMiB: median(xs.map((x) => x.idleRssMiB)), runs: xs },
    ]),
  );
}

/** Prints the filexfer / SDK ratio table and writes bench/results/<name>.json with `meta`. */
export function report(name, title, summary, meta) {
  const n = (x, w = 7) => x.toFixed(0).padStart(w);
  const ratio = (a, b) => (a / b).toFixed(2).padStart(6);
  console.log(`\n${title}; each case in its own process; ratio = filexfer / SDK`);
  console.log('direction |  filexfer MB/s  peak RSS MiB (idle) |  SDK MB/s  peak RSS MiB (idle) | speed ratio | RSS ratio');
  for (const dir of ['upload', 'download']) {
    const f = summary[`filexfer-${dir}`];
    const s = summary[`sdk-${dir}`];
    console.log(
      `${dir.padEnd(9)} | ${n(f.mbps, 13)}  ${n(f.maxRssMiB, 12)} (${n(f.idleRssMiB, 3)}) | ${n(s.mbps, 8)}  ${n(s.maxRssMiB, 12)} (${n(s.idleRssMiB, 3)}) | ${ratio(f.mbps, s.mbps)}      | ${ratio(f.maxRssMiB, s.maxRssMiB)}`,
    );
  }
  const out = join(repoRoot, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `${name}.json`), JSON.stringify({ when: new Date().toISOString(), node: process.version, ...meta, summary }, null, 2));
  console.log(`\nwrote ${join(out, `${name}.json`)}`);
}

/**
 * The case side, run inside case.mjs: the two filexfer cases are the same for
 * every store; `peers` holds the store's SDK cases, each resolving to the bytes
 * moved. Prints one JSON line with speed and peak RSS (and RSS before any byte moved).
 */
export async function runBenchCase({ name, file, key, adapter, TransferManager, partSize, partConcurrency, peers, close }) {
  const idleRssMiB = process.resourceUsage().maxRSS / 1024;
  const started = performance.now();
  let bytes;
  if (name === 'filexfer-upload') {
    const m = new TransferManager({ adapter, partSize, partConcurrency });
    bytes = (await m.upload(file, { key })).size;
    await m.close();
  } else if (name === 'filexfer-download') {
    const url = await adapter.presignDownload(key);
    const m = new TransferManager({ adapter });
    bytes = (await m.download(url, file)).size;
    await m.close();
  } else if (peers[name]) {
    bytes = await peers[name]();
  } else {
    throw new Error(`unknown case ${name}`);
  }
  const seconds = (performance.now() - started) / 1000;
  await adapter.close?.();
  await close?.();
  console.log(JSON.stringify({ name, bytes, seconds, mbps: bytes / 1e6 / seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024, idleRssMiB }));
}
