/**
 * The built `filexfer` bin against MinIO (s3://), with credentials and the
 * endpoint from the AWS SDK's standard environment and files, as a user has them.
 * MinIO comes from `pnpm emulators:start`; FILEXFER_S3_ENDPOINT overrides it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { Cli, cleanEnv, run, sha256File, steps, tempDir, ThrottleProxy } from './helpers';

const MiB = 1024 * 1024;
const ENDPOINT = process.env.FILEXFER_S3_ENDPOINT ?? 'http://127.0.0.1:9000';
const ACCESS_KEY = process.env.FILEXFER_S3_ACCESS_KEY ?? 'filexfer';
const SECRET_KEY = process.env.FILEXFER_S3_SECRET_KEY ?? 'filexfer-secret';

const client = new S3Client({ region: 'us-east-1', endpoint: ENDPOINT, forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY } });
const bucket = `fx-cli-${randomUUID().slice(0, 8)}`;
let work: { dir: string; remove: () => Promise<void> };

/** The SDK's environment with nothing from this machine: no ~/.aws files, no instance metadata. */
function awsEnv(extra: Record<string, string | undefined> = {}) {
  return cleanEnv({
    AWS_ENDPOINT_URL: ENDPOINT,
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET_KEY,
    AWS_CONFIG_FILE: join(work.dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(work.dir, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  });
}

async function cli(args: string[], env = awsEnv()) {
  return run(args, { env, cwd: work.dir });
}

async function file(name: string, size: number): Promise<string> {
  const path = join(work.dir, name);
  await writeFile(path, randomBytes(size));
  return path;
}

async function keys(prefix = ''): Promise<string[]> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (listed.Contents ?? []).map((o) => o.Key!);
}

beforeAll(async () => {
  try {
    const health = await fetch(new URL('/minio/health/live', ENDPOINT), { signal: AbortSignal.timeout(3000) });
    if (!health.ok) throw new Error(`answered ${health.status}`);
  } catch (error) {
    throw new Error(`MinIO is not reachable at ${ENDPOINT} (${(error as Error).message}): start it with \`pnpm emulators:start\` (or set FILEXFER_S3_ENDPOINT).`);
  }
  work = await tempDir();
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
});

afterAll(async () => {
  const all = await keys().catch(() => []);
  if (all.length) await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: all.map((Key) => ({ Key })) } }));
  await client.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
  client.destroy();
  await work?.remove();
});

test('upload (single PUT and multipart) prints the URLs; download brings back the same bytes', async () => {
  const big = await file('big.bin', 12 * MiB + 7);
  const small = await file('small.txt', 100);
  const up = await cli(['upload', big, small, '--to', `s3://${bucket}/shared/`, '--part-size', '5MiB', '--expires', '1h']);
  expect(up.code).toBe(0);
  const urls = up.stdout.trim().split('\n');
  expect(urls).toHaveLength(2);
  expect(urls[0]).toMatch(new RegExp(`^${ENDPOINT}/${bucket}/shared/[0-9a-f-]{36}/big\\.bin\\?.*X-Amz-Expires=3600`));
  expect(urls[1]).toContain('/small.txt?');
  expect(steps(up.stderr, 'big.bin').at(-1)).toBe(100);
  expect(await keys('shared/')).toHaveLength(2);

  const got = await cli(['download', urls[0]!, '-o', join(work.dir, 'big-copy.bin')], cleanEnv()); // a receiver has no credentials
  expect(got.code).toBe(0);
  expect(await sha256File(join(work.dir, 'big-copy.bin'))).toBe(await sha256File(big));
  const byStoreUrl = await cli(['download', `s3://${bucket}/${new URL(urls[1]!).pathname.split('/').slice(2).join('/')}`, '-o', join(work.dir, 'small-copy.txt')]);
  expect(byStoreUrl.code).toBe(0);
  expect(await readFile(join(work.dir, 'small-copy.txt'))).toEqual(await readFile(small));
});

test('presign: PUT with the headers shown, then GET', async () => {
  const put = await cli(['presign', `s3://${bucket}/inbox/report.pdf`, '--method', 'put', '--content-type', 'application/pdf', '--json']);
  expect(put.code).toBe(0);
  const request = JSON.parse(put.stdout);
  expect(request.method).toBe('PUT');
  const body = randomBytes(3000);
  const sent = await fetch(request.url, { method: 'PUT', headers: request.headers, body });
  expect(sent.status).toBe(200);
  const get = await cli(['presign', `s3://${bucket}/inbox/report.pdf`, '--expires', '5m']);
  expect(get.code).toBe(0);
  expect(get.stdout).toContain('X-Amz-Expires=300');
  const fetched = await fetch(get.stdout.trim());
  expect(fetched.headers.get('content-type')).toBe('application/pdf');
  expect(Buffer.from(await fetched.arrayBuffer())).toEqual(body);
});

test('credentials from a profile in the shared credentials file (AWS_PROFILE or --profile), endpoint from --endpoint', async () => {
  const credentials = join(work.dir, 'aws-credentials');
  await writeFile(credentials, `[minio]\naws_access_key_id = ${ACCESS_KEY}\naws_secret_access_key = ${SECRET_KEY}\n`);
  const src = await file('profile.txt', 10);
  const base = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_ENDPOINT_URL: undefined, AWS_SHARED_CREDENTIALS_FILE: credentials };
  const viaEnv = await cli(['upload', src, '--to', `s3://${bucket}/profile/`, '--endpoint', ENDPOINT, '--key', 'env.txt'], awsEnv({ ...base, AWS_PROFILE: 'minio' }));
  expect(viaEnv.stderr).toBe(viaEnv.stderr.replace(SECRET_KEY, ''));
  expect(viaEnv.code).toBe(0);
  const viaFlag = await cli(['upload', src, '--to', `s3://${bucket}/profile/`, '--endpoint', ENDPOINT, '--profile', 'minio', '--key', 'flag.txt'], awsEnv(base));
  expect(viaFlag.code).toBe(0);
  expect((await keys('profile/')).sort()).toEqual(['profile/env.txt', 'profile/flag.txt']);
});

test('Ctrl-C during a multipart upload exits 130 and aborts the multipart upload: no object, no open upload', async () => {
  const proxy = await ThrottleProxy.start(ENDPOINT, 4 * MiB);
  try {
    const src = await file('stop.bin', 40 * MiB);
    const running = new Cli(['upload', src, '--to', `s3://${bucket}/stopped/`, '--key', 'stop.bin', '--endpoint', proxy.url, '--part-size', '5MiB', '--concurrency', '2'], {
      env: awsEnv(),
      cwd: work.dir,
    });
    await running.waitFor(/stop\.bin\s+[1-9]0%/, 'stderr');
    // MinIO lists multipart uploads only by exact key (a shorter prefix lists none), so ask for the key itself.
    const open = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'stopped/stop.bin' }));
    expect(open.Uploads ?? []).toHaveLength(1);
    running.child.kill('SIGINT');
    const result = await running.exited;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('Interrupted: stopped 1 unfinished upload');
    const after = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'stopped/stop.bin' }));
    expect(after.Uploads ?? []).toEqual([]);
    const anywhere = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect((anywhere.Uploads ?? []).map((u) => u.Key)).not.toContain('stopped/stop.bin');
    expect(await keys('stopped/')).toEqual([]);
  } finally {
    await proxy.close();
  }
});

test('a download killed mid-way resumes from its partial file', async () => {
  const src = await file('resume.bin', 8 * MiB);
  const up = await cli(['upload', src, '--to', `s3://${bucket}/`, '--key', 'resume.bin']);
  expect(up.code).toBe(0);
  const proxy = await ThrottleProxy.start(ENDPOINT, 2 * MiB);
  const dest = join(work.dir, 'resume-copy.bin');
  try {
    // Through the proxy the URL's host differs, and SigV4 signs the host: presign for the proxy's host.
    const url = (await cli(['presign', `s3://${bucket}/resume.bin`, '--endpoint', proxy.url])).stdout.trim();
    const first = new Cli(['download', url, '-o', dest], { env: cleanEnv(), cwd: work.dir });
    await first.waitFor(/resume-copy\.bin\s+[2-9]0%/, 'stderr');
    first.child.kill('SIGKILL');
    await first.exited;
    const partial = (await stat(dest + '.filexfer-partial')).size;
    expect(partial).toBeGreaterThan(0);
    proxy.bytesPerSecond = Infinity;
    proxy.bytesToClient = 0;
    const second = await cli(['download', url, '-o', dest], cleanEnv());
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('resuming from');
    expect(proxy.bytesToClient).toBeLessThan(8 * MiB - partial + 4096);
    expect(await sha256File(dest)).toBe(await sha256File(src));
  } finally {
    await proxy.close();
  }
});

describe('errors', () => {
  test('wrong credentials: 4, and neither the secret nor any signature is printed', async () => {
    const wrongSecret = 'Wr0ngSecretKeyThatMustNeverBePrinted' + randomUUID().replaceAll('-', '');
    const src = await file('wrong.txt', 6 * MiB); // multipart: control calls signed by the SDK, parts by presigned URLs
    const results = [
      await cli(['upload', src, '--to', `s3://${bucket}/wrong/`, '--part-size', '5MiB'], awsEnv({ AWS_SECRET_ACCESS_KEY: wrongSecret })),
      await cli(['upload', src, '--to', `s3://${bucket}/wrong/`], awsEnv({ AWS_SECRET_ACCESS_KEY: wrongSecret })),
      await cli(['download', `s3://${bucket}/inbox/report.pdf`, '-o', join(work.dir, 'wrong.pdf')], awsEnv({ AWS_SECRET_ACCESS_KEY: wrongSecret })),
      await cli(['upload', src, '--to', `s3://${bucket}/wrong/`, '--json'], awsEnv({ AWS_SECRET_ACCESS_KEY: wrongSecret })),
    ];
    for (const result of results) {
      expect(result.code).toBe(4);
      const all = result.stdout + result.stderr;
      expect(all).not.toContain(wrongSecret);
      expect(all).not.toContain(SECRET_KEY);
      expect(all).not.toMatch(/X-Amz-Signature=(?!<redacted>)/i);
      expect(all).not.toMatch(/Signature=[0-9a-f]{64}/i);
      expect(all).not.toMatch(/\b[0-9a-f]{64}\b/); // no signature value, in any form
      expect(all).toContain('AWS_SECRET_ACCESS_KEY');
    }
    expect(await keys('wrong/')).toEqual([]);
  });

  test('no credentials anywhere: 4, saying what to set', async () => {
    const src = await file('nocreds.txt', 10);
    const result = await cli(['upload', src, '--to', `s3://${bucket}/`], awsEnv({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined }));
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('AWS_PROFILE');
  });

  test('a missing bucket or object: 7', async () => {
    const src = await file('nobucket.txt', 10);
    const noBucket = await cli(['upload', src, '--to', 's3://no-such-bucket-filexfer/']);
    expect(noBucket.code).toBe(7);
    expect(noBucket.stderr).toContain('NoSuchBucket');
    const noKey = await cli(['download', `s3://${bucket}/no/such/key`, '-o', join(work.dir, 'nokey')]);
    expect(noKey.code).toBe(7);
    expect(existsSync(join(work.dir, 'nokey'))).toBe(false);
  });

  test('a tampered URL: 8', async () => {
    const get = await cli(['presign', `s3://${bucket}/inbox/report.pdf`]);
    const url = new URL(get.stdout.trim());
    url.searchParams.set('X-Amz-Expires', '604000');
    const result = await cli(['download', url.toString(), '-o', join(work.dir, 'tampered.pdf')], cleanEnv());
    expect(result.code).toBe(8);
    expect(result.stderr).toContain('Ask the sender for a fresh URL');
    expect(result.stderr).not.toMatch(/X-Amz-Signature=[0-9a-f]/);
  });

  test('an unreachable endpoint: 9', async () => {
    const src = await file('unreachable.txt', 10);
    const result = await cli(['upload', src, '--to', `s3://${bucket}/`, '--endpoint', 'http://127.0.0.1:9']);
    expect(result.code).toBe(9);
  });
});
