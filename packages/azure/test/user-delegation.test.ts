/**
 * A TokenCredential (Microsoft Entra ID) instead of an account key: the
 * adapter asks for a user delegation key and signs user delegation SAS URLs
 * with it. Azurite does this only over HTTPS with OAuth on, so this file runs
 * its own Azurite (self-signed certificate, `--oauth basic`, which checks a
 * token's issuer, audience and lifetime but not its signature) on a free
 * loopback port, and stops it afterwards.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import tls from 'node:tls';
import { BlobServiceClient } from '@azure/storage-blob';
import { TransferManager } from '@filexfer/core';
import { AzureAdapter, type TokenCredential } from '@filexfer/azure';
import { randomData, RecordingTransport, sleep } from './helpers.js';

// Azurite is the repository's pinned root devDependency.
const AZURITE_MAIN = resolve(__dirname, '../../../node_modules/azurite/dist/src/blob/main.js');
const PART = 256 * 1024;
let dir: string;
let azurite: ChildProcess | undefined;
let endpoint: string;
let defaultCAs: string[];

/** An Entra-ID-shaped access token for the storage audience (unsigned: Azurite's basic OAuth does not check signatures). */
const token: TokenCredential = {
  getToken: async () => {
    const now = Math.floor(Date.now() / 1000);
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    const claims = { aud: 'https://storage.azure.com', iss: `https://sts.windows.net/${tenant}/`, iat: now - 60, nbf: now - 60, exp: now + 3600, oid: randomUUID(), tid: tenant };
    return { token: `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}.c2ln`, expiresOnTimestamp: (now + 3600) * 1000 };
  },
};

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
    server.on('error', reject);
  });
}

async function answers(url: string): Promise<boolean> {
  return new Promise((done) => {
    const req = request(url, { rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume();
      done(true);
    });
    req.on('error', () => done(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fx-azure-oauth-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  const port = await freePort();
  azurite = spawn(process.execPath, [
    AZURITE_MAIN, '--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', join(dir, 'data'),
    '--skipApiVersionCheck', '--disableTelemetry', '--loose', '--oauth', 'basic',
    '--cert', join(dir, 'cert.pem'), '--key', join(dir, 'key.pem'),
  ], { stdio: 'ignore' });
  endpoint = `https://127.0.0.1:${port}/devstoreaccount1`;
  for (let i = 0; !(await answers(endpoint)); i++) {
    if (i > 150 || azurite.exitCode !== null) throw new Error(`Azurite with OAuth did not start on port ${port} (${AZURITE_MAIN})`);
    await sleep(200);
  }
  // Trust the self-signed certificate in this process (the SDK and the engine use the default CAs).
  defaultCAs = tls.getCACertificates('default');
  tls.setDefaultCACertificates([...defaultCAs, await readFile(join(dir, 'cert.pem'), 'utf8')]);
}, 60_000);

afterAll(async () => {
  if (defaultCAs) tls.setDefaultCACertificates(defaultCAs);
  if (azurite && azurite.exitCode === null) {
    const exited = new Promise((r) => azurite!.once('exit', r));
    azurite.kill('SIGTERM');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
});

describe('a TokenCredential (user delegation SAS)', () => {
  it('uploads and downloads over user delegation SAS URLs, one delegation key for many URLs', async () => {
    const service = new BlobServiceClient(endpoint, token);
    const container = `fx-${randomUUID().slice(0, 12)}`;
    await service.getContainerClient(container).create();
    const adapter = new AzureAdapter({ container, credential: token, endpoint });
    expect(adapter.accountName).toBe('devstoreaccount1');
    const transport = new RecordingTransport();
    const manager = new TransferManager({ adapter, transport, partSize: PART });

    for (const size of [1000, 3 * PART + 5]) {
      const data = randomData(size);
      const path = join(dir, `up-${size}.bin`);
      await writeFile(path, data);
      const up = await manager.upload(path, { key: `oauth/${size}.bin` });
      // file.url asks for 7 days (TransferManager's default); a user delegation SAS stays inside its key's 7-day cap.
      const q = new URL(up.url).searchParams;
      expect(Date.parse(q.get('se')!)).toBeLessThanOrEqual(Date.now() + 7 * 24 * 3600_000 - 5 * 60_000);
      expect(Date.parse(q.get('se')!)).toBeLessThanOrEqual(Date.parse(q.get('ske')!));
      const dest = join(dir, `down-${size}.bin`);
      await manager.download(up.url, dest, { checksum: up.checksum });
      expect((await readFile(dest)).equals(data)).toBe(true);
    }

    const signed = transport.requests.map((r) => r.url.searchParams);
    expect(signed.length).toBeGreaterThan(4);
    for (const q of signed) {
      // The user delegation fields: the key's object id, tenant, validity, service and version.
      for (const field of ['skoid', 'sktid', 'skt', 'ske', 'sks', 'skv', 'sig']) expect(q.get(field)).toBeTruthy();
      expect(q.get('sr')).toBe('b');
    }
    expect(new Set(signed.map((q) => q.get('skoid'))).size).toBe(1); // the key was requested once and reused
    expect(transport.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
    await manager.close();
    await service.getContainerClient(container).delete();
  });

  it('refuses a download URL longer-lived than a user delegation key can be', async () => {
    const adapter = new AzureAdapter({ container: 'any', credential: token, endpoint });
    await expect(adapter.presignDownload('k', { expiresIn: 8 * 24 * 3600 })).rejects.toMatchObject({ code: 'InvalidInput', message: expect.stringMatching(/7 days/) });
  });
});
