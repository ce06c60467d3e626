/**
 * Bad input against Azurite: a missing container, a wrong key, a SAS without
 * write permission each give a clear FileXferError, leave no blob, and leak
 * no signature or key.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileXferError, TransferManager } from '@filexfer/core';
import { AzureAdapter } from '@filexfer/azure';
import type { SasPermissions } from '../src/sas.js';
import { adapterFor, CONNECTION_STRING, createContainer, DEV_ACCOUNT, randomData } from './helpers.js';

const PART = 256 * 1024;
let container: Awaited<ReturnType<typeof createContainer>>;
let dir: string;
let small: string;
let big: string;

beforeAll(async () => {
  container = await createContainer();
  dir = await mkdtemp(join(tmpdir(), 'fx-azure-bad-'));
  small = join(dir, 'small.bin');
  big = join(dir, 'big.bin');
  await writeFile(small, randomData(1000));
  await writeFile(big, randomData(3 * PART));
});
afterAll(async () => {
  await container?.remove();
  await rm(dir, { recursive: true, force: true });
});

async function failure(adapter: AzureAdapter, path: string, key: string): Promise<FileXferError> {
  const manager = new TransferManager({ adapter, partSize: PART, retry: { retries: 1, baseDelayMs: 10, maxDelayMs: 20 } });
  try {
    const error = await manager.upload(path, { key }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileXferError);
    return error as FileXferError;
  } finally {
    await manager.close();
  }
}

function noSecrets(error: FileXferError, ...secrets: string[]) {
  const text = `${error.message}\n${JSON.stringify(error.toJSON())}\n${String((error.cause as Error | undefined)?.message)}`;
  expect(text).not.toMatch(/sig=(?!<redacted>)[^&\s]+/);
  for (const s of secrets) expect(text).not.toContain(s);
}

describe('a missing container', () => {
  const adapter = () => adapterFor('fx-no-such-container');

  it('is NotFound, naming the container and how to create it, for a single PUT and for blocks', async () => {
    for (const path of [small, big]) {
      const error = await failure(adapter(), path, 'k.bin');
      expect(error).toMatchObject({ code: 'NotFound', status: 404, adapter: 'azure' });
      expect(error.message).toMatch(/Container "fx-no-such-container" does not exist in storage account "devstoreaccount1": create it/);
      noSecrets(error);
    }
  });

  it('is NotFound for the SDK calls too (stat, delete), not "no such blob"', async () => {
    await expect(adapter().stat('k.bin')).rejects.toMatchObject({ code: 'NotFound', message: expect.stringMatching(/Container "fx-no-such-container"/) });
    await expect(adapter().delete('k.bin')).rejects.toMatchObject({ code: 'NotFound' });
  });
});

describe('a wrong account key', () => {
  const wrongKey = Buffer.from('this is not the development account key, but it is base64').toString('base64');
  const adapter = () => {
    const endpoint = new URL(container.client.url);
    endpoint.pathname = `/${DEV_ACCOUNT}`;
    return new AzureAdapter({ container: container.name, accountName: DEV_ACCOUNT, accountKey: wrongKey, endpoint: endpoint.toString() });
  };

  it('is Unauthenticated, saying to check the key, and leaves no blob', async () => {
    for (const path of [small, big]) {
      const error = await failure(adapter(), path, 'wrong-key.bin');
      expect(error).toMatchObject({ code: 'Unauthenticated', status: 403, retryable: false });
      expect(error.message).toMatch(/account key does not belong to storage account "devstoreaccount1" \(check accountKey \/ connectionString\)/);
      noSecrets(error, wrongKey);
    }
    expect(await adapterFor(container.name).stat('wrong-key.bin')).toBeNull();
  });

  it('is Unauthenticated for the SDK calls too', async () => {
    const error = await adapter().stat('x').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'Unauthenticated' });
    noSecrets(error as FileXferError, wrongKey);
  });
});

describe('a SAS without write permission', () => {
  // An adapter whose upload URLs carry only read permission (as a misconfigured
  // presign service, or a Reader identity's user delegation SAS, would).
  class ReadOnlySas extends AzureAdapter {
    protected override signedUrl(key: string, _permissions: SasPermissions, expiresIn: number): Promise<string> {
      return super.signedUrl(key, 'r', expiresIn);
    }
  }
  const adapter = () => new ReadOnlySas({ container: container.name, connectionString: CONNECTION_STRING });

  it('is PermissionDenied, saying which permissions uploads need, and leaves no blob', async () => {
    for (const path of [small, big]) {
      const error = await failure(adapter(), path, 'read-only.bin');
      expect(error).toMatchObject({ code: 'PermissionDenied', status: 403, retryable: false });
      expect(error.message).toMatch(/The SAS does not grant what this request needs \(uploads need create\+write, downloads need read\)/);
      noSecrets(error);
    }
    expect(await adapterFor(container.name).stat('read-only.bin')).toBeNull();
  });
});
