/**
 * The built `filexfer` bin against Azurite (az://), with credentials from
 * AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT + AZURE_STORAGE_KEY.
 * Azurite comes from `pnpm emulators:start`; FILEXFER_AZURE_CONNECTION_STRING overrides it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cleanEnv, NODE, run, sha256File, tempDir } from './helpers';

const MiB = 1024 * 1024;
const CONNECTION_STRING = process.env.FILEXFER_AZURE_CONNECTION_STRING ?? 'UseDevelopmentStorage=true';
// Azurite's documented development account (public, not a secret).
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const containerName = `fx-cli-${randomUUID().slice(0, 8)}`;
let serviceUrl: string;
let work: { dir: string; remove: () => Promise<void> };

const azEnv = (extra: Record<string, string | undefined> = {}) => cleanEnv({ AZURE_STORAGE_CONNECTION_STRING: CONNECTION_STRING, ...extra });
const cli = (args: string[], env = azEnv()) => run(args, { env, cwd: work.dir });

async function file(name: string, size: number): Promise<string> {
  const path = join(work.dir, name);
  await writeFile(path, randomBytes(size));
  return path;
}

/**
 * Runs `action` on the test container with @azure/storage-blob in a child Node
 * (its CommonJS build requires ES-only modules, which Jest's runtime cannot load).
 */
async function withSdk(action: 'create' | 'delete'): Promise<string> {
  const script = `
    const { BlobServiceClient } = require('@azure/storage-blob');
    const service = BlobServiceClient.fromConnectionString(process.env.CS);
    const container = service.getContainerClient(process.env.NAME);
    (process.env.ACTION === 'create' ? container.create() : container.deleteIfExists())
      .then(() => console.log(service.url), (e) => { console.error(e.message); process.exit(1); });`;
  const { stdout } = await promisify(execFile)(NODE, ['-e', script], {
    cwd: join(__dirname, '..'),
    env: { ...process.env, CS: CONNECTION_STRING, NAME: containerName, ACTION: action },
    timeout: 30_000,
  });
  return stdout.trim();
}

beforeAll(async () => {
  work = await tempDir();
  try {
    serviceUrl = await withSdk('create');
  } catch (error) {
    throw new Error(`Azurite is not reachable (${(error as Error).message}): start it with \`pnpm emulators:start\` (or set FILEXFER_AZURE_CONNECTION_STRING).`);
  }
});

afterAll(async () => {
  await withSdk('delete').catch(() => undefined);
  await work?.remove();
});

test('upload (one Put Blob and blocks) and download by URL and by az:// URL', async () => {
  const big = await file('big.bin', 3 * MiB + 11);
  const small = await file('small.txt', 100);
  const up = await cli(['upload', big, small, '--to', `az://${containerName}/shared/`, '--part-size', '1MiB']);
  expect(up.code).toBe(0);
  const urls = up.stdout.trim().split('\n');
  expect(urls).toHaveLength(2);
  expect(urls[0]).toMatch(new RegExp(`/${containerName}/shared/[0-9a-f-]{36}/big\\.bin\\?.*sig=`));
  const got = await cli(['download', urls[0]!, '-o', join(work.dir, 'big-copy.bin')], cleanEnv());
  expect(got.code).toBe(0);
  expect(await sha256File(join(work.dir, 'big-copy.bin'))).toBe(await sha256File(big));
  const key = decodeURIComponent(new URL(urls[1]!).pathname).split('/').slice(3).join('/');
  const byStoreUrl = await cli(['download', `az://${containerName}/${key}`, '-o', join(work.dir, 'small-copy.txt')]);
  expect(byStoreUrl.code).toBe(0);
  expect(await readFile(join(work.dir, 'small-copy.txt'))).toEqual(await readFile(small));
});

test('AZURE_STORAGE_ACCOUNT + AZURE_STORAGE_KEY with --endpoint', async () => {
  const src = await file('account.txt', 10);
  const endpoint = serviceUrl.replace(/\/$/, '');
  const result = await cli(
    ['upload', src, '--to', `az://${containerName}/`, '--endpoint', endpoint, '--key', 'account.txt'],
    cleanEnv({ AZURE_STORAGE_ACCOUNT: DEV_ACCOUNT, AZURE_STORAGE_KEY: DEV_KEY }),
  );
  expect(result.code).toBe(0);
  expect(result.stdout).toContain(`/${containerName}/account.txt?`);
});

test('a wrong key: 4, and neither the key nor a signature is printed', async () => {
  const wrongKey = randomBytes(64).toString('base64');
  const src = await file('wrong.bin', 2 * MiB);
  const endpoint = serviceUrl.replace(/\/$/, '');
  for (const args of [['--part-size', '1MiB'], [], ['--json']]) {
    const result = await cli(['upload', src, '--to', `az://${containerName}/wrong/`, '--endpoint', endpoint, ...args], cleanEnv({ AZURE_STORAGE_ACCOUNT: DEV_ACCOUNT, AZURE_STORAGE_KEY: wrongKey }));
    expect(result.code).toBe(4);
    const all = result.stdout + result.stderr;
    expect(all).not.toContain(wrongKey);
    expect(all).not.toContain(DEV_KEY);
    expect(all).not.toMatch(/[?&]sig=(?!<redacted>)/);
    expect(all).toContain('AZURE_STORAGE_KEY');
  }
});

test('no credentials: 4, saying what to set', async () => {
  const src = await file('none.txt', 10);
  const result = await cli(['upload', src, '--to', `az://${containerName}/`], cleanEnv());
  expect(result.code).toBe(4);
  expect(result.stderr).toContain('AZURE_STORAGE_CONNECTION_STRING');
});

test('a tampered SAS URL: 8; a missing blob: 7', async () => {
  const src = await file('tamper.txt', 10);
  const up = await cli(['upload', src, '--to', `az://${containerName}/`, '--key', 'tamper.txt']);
  const url = new URL(up.stdout.trim());
  url.pathname = url.pathname.replace('tamper.txt', 'other.txt');
  const tampered = await cli(['download', url.toString(), '-o', join(work.dir, 'tampered.txt')], cleanEnv());
  expect(tampered.code).toBe(8);
  expect(existsSync(join(work.dir, 'tampered.txt'))).toBe(false);
  const missing = await cli(['download', `az://${containerName}/no/such/blob`, '-o', join(work.dir, 'missing')]);
  expect(missing.code).toBe(7);
});
