// filexfer demo: the out-of-band pattern on the embedded local store.
// 1. the sender uploads a file and gets a URL; 2. the URL (not the bytes)
// goes into a chat message; 3. the receiver downloads from the URL and checks it.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TransferManager, displayUrl } from '@filexfer/core';
import { LocalAdapter } from '@filexfer/local';

const sizeMiB = Number(process.env.DEMO_SIZE_MIB ?? 64);
const work = join(process.cwd(), '.demo');
await rm(work, { recursive: true, force: true });
await mkdir(work, { recursive: true });

const source = join(work, 'holiday-video.bin');
process.stdout.write(`Generating ${sizeMiB} MiB test file ${source} ...\n`);
for (let i = 0; i < sizeMiB; i++) await writeFile(source, randomBytes(1024 * 1024), { flag: 'a' });
const sourceHash = await sha256(source);

const adapter = await LocalAdapter.start({ root: join(work, 'store') });
const manager = new TransferManager({ adapter });
try {
  const started = Date.now();
  const sent = await manager.upload(source, { contentType: 'video/mp4', onProgress: progressLine('upload  ') });
  endLine();
  console.log(`Uploaded as key "${sent.key}" in ${seconds(started)} s (${rate(sent.size, started)} MB/s)`);

  // What travels in the real-time message: small, instant, no file bytes.
  const message = { type: 'file', url: sent.url, size: sent.size, mimeType: 'video/mp4', checksum: sent.checksum };
  console.log(`Message sent to the receiver: ${JSON.stringify({ ...message, url: displayUrl(message.url) })}`);

  const received = join(work, 'received', 'holiday-video.bin');
  const t2 = Date.now();
  await manager.download(message.url, received, { checksum: message.checksum, size: message.size, onProgress: progressLine('download') });
  endLine();
  console.log(`Downloaded to ${received} in ${seconds(t2)} s (${rate(message.size, t2)} MB/s)`);

  const ok = (await sha256(received)) === sourceHash;
  console.log(ok ? 'Verified: the received file is byte-for-byte the one sent (SHA-256 match).' : 'MISMATCH: the received file differs!');
  process.exitCode = ok ? 0 : 1;
} finally {
  await manager.close();
  await adapter.close();
}

function progressLine(label) {
  let last = -1;
  let lastStep = -1;
  return (p) => {
    if (p.percent === last) return;
    last = p.percent;
    const step = Math.floor(p.percent / 10);
    const bar = '#'.repeat(Math.floor(p.percent / 4)).padEnd(25, '.');
    const text = `${label} [${bar}] ${String(p.percent).padStart(3)}%  ${mb(p.bytesTransferred)}/${mb(p.totalBytes)} MB  ${mb(p.bytesPerSecond)} MB/s`;
    if (process.stdout.isTTY) process.stdout.write(`\r${text}`);
    else if (step > lastStep) {
      lastStep = step;
      process.stdout.write(`${text}\n`);
    }
  };
}
function endLine() {
  if (process.stdout.isTTY) process.stdout.write('\n');
}
function mb(bytes) {
  return (bytes / 1e6).toFixed(1);
}
function seconds(since) {
  return ((Date.now() - since) / 1000).toFixed(2);
}
function rate(bytes, since) {
  return (bytes / 1e6 / Math.max(0.001, (Date.now() - since) / 1000)).toFixed(0);
}
async function sha256(path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest('hex');
}
