// One S3 benchmark case in its own process, so its peak RSS is its own.
// argv: <case> <file> <key> <bucket>; env: FILEXFER_S3_ENDPOINT.
// Prints one JSON line. Uses the BUILT packages (dist/), as an application would.
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createReadStream } from 'node:fs';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { TransferManager } from '@filexfer/core';
import { S3Adapter } from '@filexfer/s3';

const MiB = 1024 * 1024;
// Same part size and parallelism for both sides: TransferManager's defaults.
const PART = 8 * MiB;
const CONCURRENCY = 4;

const [name, file, key, bucket] = process.argv.slice(2);
const endpoint = process.env.FILEXFER_S3_ENDPOINT ?? 'http://127.0.0.1:9000';
const credentials = { accessKeyId: process.env.FILEXFER_S3_ACCESS_KEY ?? 'filexfer', secretAccessKey: process.env.FILEXFER_S3_SECRET_KEY ?? 'filexfer-secret' };
const adapter = new S3Adapter({ bucket, endpoint, credentials });
// The peer uses the SDK as an application would: its default settings.
const client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials });
// Peak RSS of the process with everything loaded, before any byte moves.
const idleRssMiB = process.resourceUsage().maxRSS / 1024;
const started = performance.now();
let bytes = 0;

switch (name) {
  case 'filexfer-upload': {
    const m = new TransferManager({ adapter, partSize: PART, partConcurrency: CONCURRENCY });
    bytes = (await m.upload(file, { key })).size;
    await m.close();
    break;
  }
  case 'filexfer-download': {
    const url = await adapter.presignDownload(key);
    const m = new TransferManager({ adapter });
    bytes = (await m.download(url, file)).size;
    await m.close();
    break;
  }
  case 'sdk-upload': {
    // The peer: @aws-sdk/lib-storage's parallel multipart Upload, same part size and concurrency.
    await new Upload({ client, params: { Bucket: bucket, Key: key, Body: createReadStream(file) }, partSize: PART, queueSize: CONCURRENCY }).done();
    bytes = (await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ContentLength;
    break;
  }
  case 'sdk-download': {
    // The peer: GetObject's body streamed to a file.
    const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    await pipeline(res.Body, createWriteStream(file));
    bytes = res.ContentLength;
    break;
  }
  default:
    throw new Error(`unknown case ${name}`);
}
const seconds = (performance.now() - started) / 1000;
await adapter.close();
client.destroy();
console.log(JSON.stringify({ name, bytes, seconds, mbps: bytes / 1e6 / seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024, idleRssMiB }));
