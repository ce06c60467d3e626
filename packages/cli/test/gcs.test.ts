/**
 * The built `filexfer` bin against fake-gcs-server (gs://), with credentials
 * and the endpoint from GOOGLE_APPLICATION_CREDENTIALS and STORAGE_EMULATOR_HOST.
 * fake-gcs-server checks no signatures, so refused URLs are tested on the
 * other stores. The emulator comes from `pnpm emulators:start`.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanEnv, run, sha256File, tempDir } from './helpers';

const MiB = 1024 * 1024;
const ENDPOINT = process.env.FILEXFER_GCS_ENDPOINT ?? 'http://127.0.0.1:4443';
const bucket = `fx-cli-${randomUUID().slice(0, 8)}`;
let work: { dir: string; remove: () => Promise<void> };
let keyFile: string;

function gcsEnv(extra: Record<string, string | undefined> = {}) {
  return cleanEnv({ GOOGLE_APPLICATION_CREDENTIALS: keyFile, STORAGE_EMULATOR_HOST: ENDPOINT, HOME: work.dir, ...extra });
}

const cli = (args: string[], env = gcsEnv()) => run(args, { env, cwd: work.dir });

async function file(name: string, size: number): Promise<string> {
  const path = join(work.dir, name);
  await writeFile(path, randomBytes(size));
  return path;
}

beforeAll(async () => {
  work = await tempDir();
  try {
    const response = await fetch(`${ENDPOINT}/storage/v1/b?project=filexfer-test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: bucket }),
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) throw new Error(`answered ${response.status}`);
  } catch (error) {
    throw new Error(`fake-gcs-server is not reachable at ${ENDPOINT} (${(error as Error).message}): start it with \`pnpm emulators:start\` (or set FILEXFER_GCS_ENDPOINT).`);
  }
  // A throwaway service account key: signed URLs are signed locally with it.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  keyFile = join(work.dir, 'service-account.json');
  await writeFile(
    keyFile,
    JSON.stringify({
      type: 'service_account',
      project_id: 'filexfer-test',
      private_key_id: 'test',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      client_email: 'cli-test@filexfer-test.iam.gserviceaccount.com',
      client_id: '1',
      token_uri: 'http://127.0.0.1:9/token',
    }),
  );
});

afterAll(async () => {
  await work?.remove();
});

test('upload (single request and a resumable session in parts) and download by URL and by gs:// URL', async () => {
  const big = await file('big.bin', 3 * MiB + 11);
  const small = await file('small.txt', 100);
  const up = await cli(['upload', big, small, '--to', `gs://${bucket}/shared/`, '--part-size', '1MiB']);
  expect(up.stderr).not.toContain('Warning');
  expect(up.code).toBe(0);
  const urls = up.stdout.trim().split('\n');
  expect(urls).toHaveLength(2);
  expect(urls[0]).toMatch(new RegExp(`^${ENDPOINT}/${bucket}/shared/[0-9a-f-]{36}/big\\.bin\\?.*X-Goog-Signature=`));
  const got = await cli(['download', urls[0]!, '-o', join(work.dir, 'big-copy.bin')], cleanEnv());
  expect(got.code).toBe(0);
  expect(await sha256File(join(work.dir, 'big-copy.bin'))).toBe(await sha256File(big));
  const key = new URL(urls[1]!).pathname.split('/').slice(2).join('/');
  const byStoreUrl = await cli(['download', `gs://${bucket}/${key}`, '-o', join(work.dir, 'small-copy.txt')]);
  expect(byStoreUrl.code).toBe(0);
  expect(await readFile(join(work.dir, 'small-copy.txt'))).toEqual(await readFile(small));
});

test('--key-file and --endpoint instead of the environment', async () => {
  const src = await file('flags.txt', 10);
  const result = await cli(['upload', src, '--to', `gs://${bucket}/`, '--key-file', keyFile, '--endpoint', ENDPOINT, '--key', 'flags.txt'], cleanEnv({ HOME: work.dir }));
  expect(result.code).toBe(0);
  expect(result.stdout).toContain(`${ENDPOINT}/${bucket}/flags.txt?`);
});

test('no credentials: 4, saying what to set, without the SDK\'s metadata warning', async () => {
  const src = await file('nocreds.txt', 10);
  const result = await cli(['upload', src, '--to', `gs://${bucket}/`], gcsEnv({ GOOGLE_APPLICATION_CREDENTIALS: undefined }));
  expect(result.code).toBe(4);
  expect(result.stderr).toContain('GOOGLE_APPLICATION_CREDENTIALS');
  expect(result.stderr).not.toContain('MetadataLookupWarning');
});

test('a missing object: 7', async () => {
  const result = await cli(['download', `gs://${bucket}/no/such/object`, '-o', join(work.dir, 'none')]);
  expect(result.code).toBe(7);
  expect(existsSync(join(work.dir, 'none'))).toBe(false);
});
