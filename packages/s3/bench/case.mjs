// One S3 benchmark case in its own process, so its peak RSS is its own.
// argv: <case> <file> <key> <bucket>; env: FILEXFER_S3_ENDPOINT.
// Prints one JSON line. Uses the BUILT packages (dist/), as an application would.
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { TransferManager } from '@filexfer/core';
import { S3Adapter } from '@filexfer/s3';
import { runBenchCase } from '../../../scripts/lib/bench-harness.mjs';

// Same part size and parallelism for both sides: TransferManager's defaults.
const PART = 8 * 1024 * 1024;
const CONCURRENCY = 4;

const [name, file, key, bucket] = process.argv.slice(2);
const endpoint = process.env.FILEXFER_S3_ENDPOINT ?? 'http://127.0.0.1:9000';
const credentials = { accessKeyId: process.env.FILEXFER_S3_ACCESS_KEY ?? 'filexfer', secretAccessKey: process.env.FILEXFER_S3_SECRET_KEY ?? 'filexfer-secret' };
// The peer uses the SDK as an application would: its default settings.
const client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials });

await runBenchCase({
  name,
  file,
  key,
  adapter: new S3Adapter({ bucket, endpoint, credentials }),
  TransferManager,
  partSize: PART,
  partConcurrency: CONCURRENCY,
  peers: {
    // @aws-sdk/lib-storage's parallel multipart Upload, same part size and concurrency.
    'sdk-upload': async () => {
      await new Upload({ client, params: { Bucket: bucket, Key: key, Body: createReadStream(file) }, partSize: PART, queueSize: CONCURRENCY }).done();
      return (await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ContentLength;
    },
    // GetObject's body streamed to a file.
    'sdk-download': async () => {
      const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      await pipeline(res.Body, createWriteStream(file));
      return res.ContentLength;
    },
  },
  close: () => client.destroy(),
});
