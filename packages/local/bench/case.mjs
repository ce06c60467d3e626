// One benchmark case in its own process, so its peak RSS is its own.
// argv: <case> <file> <key>; env: FX_ENDPOINT, FX_SECRET. Prints one JSON line.
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { TransferManager } from '@filexfer/core';
import { LocalAdapter } from '@filexfer/local';

const [name, file, key] = process.argv.slice(2);
const adapter = new LocalAdapter({ endpoint: process.env.FX_ENDPOINT, secret: process.env.FX_SECRET });
const started = performance.now();
let bytes = 0;

switch (name) {
  case 'filexfer-upload': {
    const m = new TransferManager({ adapter });
    bytes = (await m.upload(file, { key })).size;
    await m.close();
    break;
  }
  case 'filexfer-download': {
    const m = new TransferManager({ adapter });
    bytes = (await m.download(await adapter.presignDownload(key), file)).size;
    await m.close();
    break;
  }
  case 'stream-upload': {
    // The floor: one streaming PUT, no parts, no checksums, no retries.
    const signed = await adapter.presignUpload(key);
    bytes = (await stat(file)).size;
    await new Promise((resolve, reject) => {
      const req = http.request(signed.url, { method: 'PUT', headers: { ...signed.headers, 'content-length': String(bytes) } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      });
      req.on('error', reject);
      createReadStream(file).pipe(req);
    });
    break;
  }
  case 'stream-download': {
    const url = await adapter.presignDownload(key);
    await new Promise((resolve, reject) => {
      http.get(url, (res) => {
        pipeline(res, createWriteStream(file)).then(resolve, reject);
      }).on('error', reject);
    });
    bytes = (await stat(file)).size;
    break;
  }
  case 'buffered-upload': {
    // What a naive app does: read the whole file, then one fetch PUT.
    const signed = await adapter.presignUpload(key);
    const body = await readFile(file);
    bytes = body.length;
    const res = await fetch(signed.url, { method: 'PUT', body, headers: signed.headers });
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    break;
  }
  default:
    throw new Error(`unknown case ${name}`);
}
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ name, bytes, seconds, mbps: bytes / 1e6 / seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
