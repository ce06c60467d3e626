import { S3Client } from '@aws-sdk/client-s3';
import { isFileXferError } from '@filexfer/core';
import { resolveOptions, type S3AdapterOptions } from './options.js';

function refusal(options: unknown): string {
  try {
    resolveOptions(options as S3AdapterOptions);
  } catch (error) {
    expect(isFileXferError(error, 'InvalidInput')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('resolveOptions', () => {
  it('defaults an S3-compatible endpoint to path style and us-east-1', () => {
    expect(resolveOptions({ bucket: 'b', endpoint: 'http://127.0.0.1:9000' })).toMatchObject({ region: 'us-east-1', forcePathStyle: true, checksSignatures: true });
  });

  it('leaves AWS on virtual-host style and the SDK region chain', () => {
    const o = resolveOptions({ bucket: 'b' });
    expect(o.forcePathStyle).toBe(false);
    expect(o.region).toBeUndefined();
  });

  it('keeps CRC32C as FULL_OBJECT, except on R2, which keeps it only as COMPOSITE', () => {
    expect(resolveOptions({ bucket: 'b' }).checksumType).toBe('FULL_OBJECT');
    expect(resolveOptions({ bucket: 'b', endpoint: 'http://127.0.0.1:9000' }).checksumType).toBe('FULL_OBJECT');
    expect(resolveOptions({ bucket: 'b', endpoint: 'https://acc.r2.cloudflarestorage.com' }).checksumType).toBe('COMPOSITE');
    expect(resolveOptions({ bucket: 'b', endpoint: 'https://acc.r2.cloudflarestorage.com', checksumType: 'FULL_OBJECT' }).checksumType).toBe('FULL_OBJECT');
  });

  it('keeps explicit choices', () => {
    expect(resolveOptions({ bucket: 'b', endpoint: 'https://x.r2.cloudflarestorage.com', region: 'auto', forcePathStyle: false })).toMatchObject({ region: 'auto', forcePathStyle: false });
  });

  it.each([
    [{}, /`bucket` is required/],
    [{ bucket: '' }, /`bucket` is required/],
    [{ bucket: 'a/b' }, /bare bucket name/],
    [{ bucket: 'b', endpoint: 'localhost:9000' }, /`endpoint` must (be an absolute URL|use http)/],
    [{ bucket: 'b', endpoint: 'ftp://h' }, /must use http: or https:/],
    [{ bucket: 'b', endpoint: 'http://user:pw@h' }, /must not carry a query string or credentials/],
    [{ bucket: 'b', credentials: { accessKeyId: 'a' } }, /`credentials` must be/],
    [{ bucket: 'b', region: '' }, /`region` must be/],
    [{ bucket: 'b', client: {} }, /`client` must be an S3Client/],
    [{ bucket: 'b', forcePathStyle: 'yes' }, /`forcePathStyle` must be true or false/],
    [{ bucket: 'b', checksumType: 'crc' }, /`checksumType` must be "FULL_OBJECT" or "COMPOSITE"/],
  ])('refuses %j with a message that says what to do', (options, message) => {
    expect(refusal(options)).toMatch(message);
  });

  it('refuses a client together with client settings', () => {
    const client = new S3Client({ region: 'us-east-1' });
    expect(refusal({ bucket: 'b', client, endpoint: 'http://127.0.0.1:9000' })).toMatch(/either `client` or `endpoint`/);
    client.destroy();
  });

  it('never echoes a password from the endpoint', () => {
    expect(refusal({ bucket: 'b', endpoint: 'http://user:hunter2@h' })).not.toContain('hunter2');
  });
});
