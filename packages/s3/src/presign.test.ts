/**
 * Presigning is offline (no request is sent): these check the shape of the
 * signed requests. That the store accepts them is shown in test/*.test.ts.
 */
import { GetObjectCommand, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { presign, presigningView } from './presign.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

describe('presign', () => {
  // A client as a user would build it: the SDK's default flexible checksums (WHEN_SUPPORTED).
  const minio = new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, credentials });
  const aws = new S3Client({ region: 'eu-west-1', credentials });
  afterAll(() => {
    minio.destroy();
    aws.destroy();
  });

  it('signs the part checksum as a header the sender must send, not into the query', async () => {
    const req = await presign(presigningView(minio), new UploadPartCommand({ Bucket: 'b', Key: 'k', UploadId: 'u1', PartNumber: 3, ChecksumCRC32C: 'yZRlqg==' }), {
      expiresIn: 60,
      signedHeaders: ['x-amz-checksum-crc32c'],
    });
    const url = new URL(req.url);
    expect(req.method).toBe('PUT');
    expect(url.origin + url.pathname).toBe('http://127.0.0.1:9000/b/k');
    expect(url.searchParams.get('partNumber')).toBe('3');
    expect(url.searchParams.get('uploadId')).toBe('u1');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-amz-checksum-crc32c');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(req.headers).toEqual({ 'x-amz-checksum-crc32c': 'yZRlqg==' });
  });

  it('puts no SDK-computed checksum of an empty body into a URL', async () => {
    // Without the view, a 3.729+ client signs the CRC32 of zero bytes into a PutObject URL.
    const req = await presign(presigningView(minio), new PutObjectCommand({ Bucket: 'b', Key: 'k', ContentType: 'text/plain' }), { expiresIn: 60, withContentType: true });
    const query = new URL(req.url).searchParams;
    expect([...query.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
    expect(req.headers).toEqual({ 'content-type': 'text/plain' });
    // The same client without the view does sign one in (why the view exists).
    const raw = await presign(minio, new PutObjectCommand({ Bucket: 'b', Key: 'k' }), { expiresIn: 60 });
    expect(new URL(raw.url).searchParams.get('x-amz-checksum-crc32')).toBe('AAAAAA==');
  });

  it('uses virtual-host style for AWS and path style for a custom endpoint', async () => {
    const onAws = await presign(presigningView(aws), new GetObjectCommand({ Bucket: 'my-bucket', Key: 'a b/c.txt' }), { expiresIn: 60 });
    expect(onAws.url.startsWith('https://my-bucket.s3.eu-west-1.amazonaws.com/a%20b/c.txt?')).toBe(true);
    expect(onAws.method).toBe('GET');
    expect(onAws.headers).toBeUndefined();
    const onMinio = await presign(presigningView(minio), new GetObjectCommand({ Bucket: 'my-bucket', Key: 'c.txt' }), { expiresIn: 60 });
    expect(onMinio.url.startsWith('http://127.0.0.1:9000/my-bucket/c.txt?')).toBe(true);
  });
});
