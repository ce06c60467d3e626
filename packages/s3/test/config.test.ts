/**
 * Construction (issue 5, point 1) against MinIO: path style, virtual-host
 * style, credentials from the SDK's standard chain, and a client the
 * application already has.
 */
import { request } from 'node:http';
import { S3Client } from '@aws-sdk/client-s3';
import { checksumsOf, TransferManager, type SignedRequest, type SingleUpload } from '@filexfer/core';
import { TestFiles } from '@filexfer/core/testing';
import { S3Adapter } from '@filexfer/s3';
import { CREDENTIALS, createBucket, ENDPOINT, REGION, type TestBucket } from './helpers.js';

const MiB = 1024 * 1024;
let bucket: TestBucket;
let files: TestFiles;

beforeAll(async () => {
  bucket = await createBucket('config');
  files = await TestFiles.create();
});

afterAll(async () => {
  await files?.remove();
  await bucket?.remove();
});

async function roundTrip(adapter: S3Adapter, key: string, size: number): Promise<string> {
  const manager = new TransferManager({ adapter, partSize: 5 * MiB, progressIntervalMs: 0 });
  try {
    const src = await files.make(`${key.replace(/\W/g, '_')}.bin`, size);
    const up = await manager.upload(src.path, { key });
    const dest = files.path(`${key.replace(/\W/g, '_')}.out`);
    await manager.download(up.url, dest, { checksum: up.checksum, size });
    expect(await files.sha256Of(dest)).toBe(src.sha256);
    return up.url;
  } finally {
    await manager.close();
  }
}

/**
 * Sends a signed request to MinIO on 127.0.0.1 with the Host header the URL
 * names (<bucket>.localhost:9000), since *.localhost does not resolve here.
 * MinIO answers virtual-host style because start.sh sets MINIO_DOMAIN=localhost.
 */
function sendToLoopback(req: SignedRequest, body?: Buffer): Promise<{ status: number; body: Buffer }> {
  const url = new URL(req.url);
  const loopback = new URL(ENDPOINT);
  return new Promise((resolve, reject) => {
    const r = request(
      { host: loopback.hostname, port: loopback.port, method: req.method, path: url.pathname + url.search, headers: { ...req.headers, host: url.host, ...(body ? { 'content-length': body.length } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      },
    );
    r.on('error', reject);
    r.end(body);
  });
}

it('path style: the bucket goes in the path of an S3-compatible endpoint', async () => {
  const adapter = new S3Adapter({ bucket: bucket.name, endpoint: ENDPOINT, credentials: CREDENTIALS });
  const url = await roundTrip(adapter, 'style/path.bin', 6 * MiB);
  expect(url.startsWith(`${ENDPOINT}/${bucket.name}/style/path.bin?`)).toBe(true);
  await adapter.close();
});

it('virtual-host style: the bucket goes in the host name, and MinIO accepts the signatures', async () => {
  const port = new URL(ENDPOINT).port;
  const adapter = new S3Adapter({ bucket: bucket.name, endpoint: `http://localhost:${port}`, forcePathStyle: false, credentials: CREDENTIALS });
  const data = Buffer.from('virtual host style');
  const plan = (await adapter.createUpload({ key: 'style/vhost.txt', size: data.length, expiresIn: 300, partSize: 5 * MiB })) as SingleUpload;
  const put = await plan.sign(checksumsOf(data, false));
  expect(new URL(put.url).host).toBe(`${bucket.name}.localhost:${port}`);
  expect((await sendToLoopback(put, data)).status).toBe(200);

  const get = await adapter.presignDownload('style/vhost.txt', { expiresIn: 300 });
  expect(get.startsWith(`http://${bucket.name}.localhost:${port}/style/vhost.txt?`)).toBe(true);
  const reply = await sendToLoopback({ method: 'GET', url: get });
  expect(reply.status).toBe(200);
  expect(reply.body.toString()).toBe('virtual host style');
  await adapter.close();
});

it('credentials come from the SDK standard chain (here AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) when not given', async () => {
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
  try {
    const adapter = new S3Adapter({ bucket: bucket.name, endpoint: ENDPOINT });
    await roundTrip(adapter, 'chain/env.bin', 6 * MiB);
    await adapter.close();
  } finally {
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    else process.env.AWS_ACCESS_KEY_ID = saved.id;
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
  }
});

it("uses an application's own S3Client (default SDK checksum settings) and leaves it open", async () => {
  const client = new S3Client({ region: REGION, endpoint: ENDPOINT, forcePathStyle: true, credentials: CREDENTIALS });
  const adapter = new S3Adapter({ bucket: bucket.name, client });
  await roundTrip(adapter, 'client/small.bin', 1000);
  await roundTrip(adapter, 'client/large.bin', 11 * MiB);
  // presignUpload has no checksum of ours: the SDK must not have signed one of an empty body.
  const put = await adapter.presignUpload('client/presigned.txt', { expiresIn: 300, contentType: 'text/plain' });
  const res = await fetch(put.url, { method: put.method, headers: put.headers, body: 'hello' });
  expect(res.status).toBe(200);
  expect(await adapter.stat('client/presigned.txt')).toMatchObject({ size: 5, contentType: 'text/plain' });
  await adapter.close();
  // Still usable: the adapter does not destroy a client it did not create.
  expect(await adapter.stat('client/small.bin')).toMatchObject({ size: 1000 });
  client.destroy();
});
