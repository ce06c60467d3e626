import { AnonymousCredential, BlobServiceClient, ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { FileXferError } from '@filexfer/core';
import { AzureAdapter } from './adapter.js';
import { DEFAULT_SAS_EXPIRES_IN, resolveOptions, type AzureAdapterOptions, type TokenCredential } from './options.js';

// Azurite's well-known development account (public, documented by Microsoft).
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const token: TokenCredential = { getToken: async () => ({ token: 'x', expiresOnTimestamp: Date.now() + 3600_000 }) };

function refused(options: unknown): FileXferError {
  try {
    resolveOptions(options as AzureAdapterOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(FileXferError);
    expect((error as FileXferError).code).toBe('InvalidInput');
    return error as FileXferError;
  }
  throw new Error('options were accepted');
}

describe('AzureAdapter options', () => {
  it('take a connection string (Azurite development storage)', () => {
    const o = resolveOptions({ container: 'uploads', connectionString: 'UseDevelopmentStorage=true' });
    expect(o.accountName).toBe('devstoreaccount1');
    expect(o.signing.kind).toBe('sharedKey');
    expect(o.containerClient.url).toBe('http://127.0.0.1:10000/devstoreaccount1/uploads');
    expect(o.sasExpiresIn).toBe(DEFAULT_SAS_EXPIRES_IN);
  });

  it('take an account connection string for a real account', () => {
    const o = resolveOptions({
      container: 'uploads',
      connectionString: `DefaultEndpointsProtocol=https;AccountName=myaccount;AccountKey=${DEV_KEY};EndpointSuffix=core.windows.net`,
    });
    expect(o.containerClient.url).toBe('https://myaccount.blob.core.windows.net/uploads');
  });

  it('take accountName + accountKey, with the public endpoint by default or a given one', () => {
    expect(resolveOptions({ container: 'c-1', accountName: 'acct', accountKey: DEV_KEY }).containerClient.url).toBe('https://acct.blob.core.windows.net/c-1');
    const local = resolveOptions({ container: 'c-1', accountName: 'devstoreaccount1', accountKey: DEV_KEY, endpoint: 'http://127.0.0.1:10000/devstoreaccount1/' });
    expect(local.containerClient.url).toBe('http://127.0.0.1:10000/devstoreaccount1/c-1');
  });

  it('take a shared key or token credential, and an existing client', () => {
    const shared = new StorageSharedKeyCredential('acct', DEV_KEY);
    expect(resolveOptions({ container: 'abc', credential: shared }).accountName).toBe('acct');
    const t = resolveOptions({ container: 'abc', credential: token, accountName: 'acct' });
    expect(t.signing.kind).toBe('token');
    expect(t.containerClient.url).toBe('https://acct.blob.core.windows.net/abc');
    const service = new BlobServiceClient('https://acct.blob.core.windows.net', shared);
    expect(resolveOptions({ container: 'abc', client: service }).containerClient.url).toBe('https://acct.blob.core.windows.net/abc');
    const container = new ContainerClient('https://acct.blob.core.windows.net/abc', shared);
    const fromContainer = resolveOptions({ container: 'abc', client: container });
    expect(fromContainer.containerClient).toBe(container);
    expect(fromContainer.serviceClient.url).toMatch(/^https:\/\/acct\.blob\.core\.windows\.net\/?$/);
  });

  it('refuse a missing or malformed container name', () => {
    expect(refused({ connectionString: 'UseDevelopmentStorage=true' }).message).toMatch(/needs `container`/);
    expect(refused({ container: 'Uploads', connectionString: 'UseDevelopmentStorage=true' }).message).toMatch(/lowercase/);
    expect(refused({ container: 'a--b', connectionString: 'UseDevelopmentStorage=true' }).message).toMatch(/not valid/);
    expect(refused({ container: 'ab', connectionString: 'UseDevelopmentStorage=true' }).message).toMatch(/3-63/);
  });

  it('refuse no credentials, or two kinds at once', () => {
    expect(refused({ container: 'abc' }).message).toMatch(/needs credentials.*UseDevelopmentStorage=true/);
    expect(refused({ container: 'abc', connectionString: 'UseDevelopmentStorage=true', accountName: 'a', accountKey: DEV_KEY }).message).toMatch(
      /only one way.*connectionString and accountKey/,
    );
  });

  it('refuse an account key without a name, or one that is not base64, without echoing the key', () => {
    expect(refused({ container: 'abc', accountKey: DEV_KEY }).message).toMatch(/needs accountName/);
    const e = refused({ container: 'abc', accountName: 'a', accountKey: 'not a key!' });
    expect(e.message).toMatch(/base64 key/);
    expect(e.message).not.toContain('not a key!');
  });

  it('refuse credentials that cannot issue a per-blob SAS', () => {
    expect(refused({ container: 'abc', connectionString: 'BlobEndpoint=https://a.blob.core.windows.net;SharedAccessSignature=sv=2020&sig=abc' }).message).toMatch(
      /needs an account key.*TokenCredential/,
    );
    expect(refused({ container: 'abc', client: new BlobServiceClient('https://a.blob.core.windows.net?sv=1&sig=x', new AnonymousCredential()) }).message).toMatch(
      /account key/,
    );
    expect(refused({ container: 'abc', credential: new AnonymousCredential() as never, accountName: 'a' }).message).toMatch(/account key/);
    expect(refused({ container: 'abc', credential: token }).message).toMatch(/accountName or endpoint/);
  });

  it('refuse a mismatched container client, a bad endpoint, a bad connection string', () => {
    const shared = new StorageSharedKeyCredential('acct', DEV_KEY);
    expect(refused({ container: 'abc', client: new ContainerClient('https://acct.blob.core.windows.net/other', shared) }).message).toMatch(/must match/);
    expect(refused({ container: 'abc', accountName: 'a', accountKey: DEV_KEY, endpoint: 'not a url' }).message).toMatch(/not a URL/);
    expect(refused({ container: 'abc', accountName: 'a', accountKey: DEV_KEY, endpoint: 'ftp://x' }).message).toMatch(/http\(s\)/);
    expect(refused({ container: 'abc', accountName: 'a', accountKey: DEV_KEY, endpoint: 'https://x?sig=1' }).message).toMatch(/query string/);
    const bad = refused({ container: 'abc', connectionString: `AccountName=x;AccountKey=${DEV_KEY};Nonsense` });
    expect(bad.message).toMatch(/connectionString could not be read/);
    expect(bad.message).not.toContain(DEV_KEY);
  });

  it('check sasExpiresIn', () => {
    expect(resolveOptions({ container: 'abc', connectionString: 'UseDevelopmentStorage=true', sasExpiresIn: 60 }).sasExpiresIn).toBe(60);
    for (const v of [0, -1, 1.5, 8 * 24 * 3600, '60']) {
      expect(refused({ container: 'abc', connectionString: 'UseDevelopmentStorage=true', sasExpiresIn: v }).message).toMatch(/sasExpiresIn/);
    }
  });

  it('are checked by the AzureAdapter constructor', () => {
    expect(() => new AzureAdapter({ container: '' } as AzureAdapterOptions)).toThrow(/needs `container`/);
    const adapter = new AzureAdapter({ container: 'abc', connectionString: 'UseDevelopmentStorage=true' });
    expect(adapter.name).toBe('azure');
    expect(adapter.capabilities).toMatchObject({ checksSignatures: true, parallelParts: true, maxParts: 50000, resumableUploads: true });
  });
});
