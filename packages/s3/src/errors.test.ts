import { NoSuchBucket, S3ServiceException } from '@aws-sdk/client-s3';
import { FileXferError } from '@filexfer/core';
import { classifyResponse, classifyS3Error, fromSdkError, parseErrorXml } from './errors.js';

// Error bodies as MinIO and AWS S3 send them (recorded; trimmed where noted).
const expiredXml =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message><Key>a.bin</Key><BucketName>b</BucketName><Resource>/b/a.bin</Resource><RequestId>1</RequestId><HostId>h</HostId></Error>';
const signatureXml =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided. Check your key and signing method.</Message>' +
  '<AWSAccessKeyId>AKIAIOSFODNN7EXAMPLE</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256\n20250101T000000Z\n20250101/us-east-1/s3/aws4_request\nabc</StringToSign>' +
  '<CanonicalRequest>PUT\n/b/a.bin\nX-Amz-Algorithm=AWS4-HMAC-SHA256&amp;X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20250101&amp;X-Amz-Signature=deadbeef\nhost:s3</CanonicalRequest></Error>';

const reply = (status: number, bodyText?: string, headers: Record<string, string> = {}) => ({ status, headers, bodyText });

describe('parseErrorXml', () => {
  it('reads Code and Message and decodes entities', () => {
    expect(parseErrorXml('<Error><Code>KeyTooLongError</Code><Message>a &amp; b &lt;c&gt;</Message></Error>')).toEqual({ code: 'KeyTooLongError', message: 'a & b <c>' });
  });
  it('copes with no body and non-XML bodies', () => {
    expect(parseErrorXml(undefined)).toEqual({});
    expect(parseErrorXml('Bad Gateway')).toEqual({ code: undefined, message: undefined });
  });
});

describe('classifyResponse', () => {
  const cases: [number, string, string][] = [
    [403, expiredXml, 'Expired'],
    [403, signatureXml, 'Unauthenticated'],
    [403, '<Error><Code>InvalidAccessKeyId</Code><Message>The Access Key Id you provided does not exist in our records.</Message></Error>', 'Unauthenticated'],
    [403, '<Error><Code>AccessDenied</Code><Message>Access Denied.</Message></Error>', 'PermissionDenied'],
    [404, '<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>', 'NotFound'],
    [404, '<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>', 'NotFound'],
    [404, '<Error><Code>NoSuchUpload</Code><Message>The specified multipart upload does not exist.</Message></Error>', 'NotFound'],
    [400, '<Error><Code>KeyTooLongError</Code><Message>Your key is too long</Message></Error>', 'InvalidInput'],
    [400, '<Error><Code>BadDigest</Code><Message>The CRC32C you specified did not match the calculated checksum.</Message></Error>', 'ChecksumMismatch'],
    [400, "<Error><Code>XAmzContentChecksumMismatch</Code><Message>The provided 'x-amz-checksum' header does not match what was computed.</Message></Error>", 'ChecksumMismatch'],
    [400, '<Error><Code>EntityTooSmall</Code><Message>Your proposed upload is smaller than the minimum allowed object size.</Message></Error>', 'InvalidInput'],
    [412, '<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>', 'Precondition'],
    [503, '<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>', 'Unavailable'],
    [500, '<Error><Code>SomethingNew</Code><Message>x</Message></Error>', 'Unavailable'],
  ];
  it.each(cases.map(([status, body, code]) => [status, parseErrorXml(body).code, code, body] as const))('%i %s -> %s', (status, _s3Code, code, body) => {
    expect(classifyResponse(reply(status, body))?.code).toBe(code);
  });

  it('says what to do', () => {
    expect(classifyResponse(reply(404, '<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>fx-b</BucketName></Error>'))?.message).toMatch(
      /bucket does not exist \("fx-b"\) — create the bucket, or fix `bucket`/,
    );
    expect(classifyResponse(reply(403, expiredXml))?.message).toMatch(/expired/);
  });

  it('uses MinIO error headers when a HEAD reply has no body', () => {
    expect(classifyResponse(reply(403, undefined, { 'x-minio-error-code': 'AccessDenied', 'x-minio-error-desc': '"Request has expired"' }))?.code).toBe('Expired');
    expect(classifyResponse(reply(404, undefined))?.code).toBe('NotFound');
  });

  it('never repeats the access key, the string to sign or a signature', () => {
    const { message } = classifyResponse(reply(403, signatureXml))!;
    expect(message).toContain('SignatureDoesNotMatch');
    expect(message).not.toMatch(/AKIA|StringToSign|deadbeef|X-Amz-Credential|aws4_request/);
  });

  it('leaves 2xx replies alone', () => {
    expect(classifyResponse(reply(200))).toBeUndefined();
  });
});

describe('classifyS3Error', () => {
  it('falls back to the HTTP status for unknown codes', () => {
    expect(classifyS3Error('Weird', 'x', 409).code).toBe('Conflict');
    expect(classifyS3Error(undefined, undefined, undefined).code).toBe('Unknown');
  });
});

describe('fromSdkError', () => {
  const context = { operation: 'createUpload', key: 'a.bin', bucket: 'missing-bucket', endpoint: 'http://127.0.0.1:9000' };

  it('names the missing bucket and what to do', () => {
    const sdk = new NoSuchBucket({ message: 'The specified bucket does not exist', $metadata: { httpStatusCode: 404 } });
    const error = fromSdkError(sdk, context);
    expect(error).toBeInstanceOf(FileXferError);
    expect(error.code).toBe('NotFound');
    expect(error.status).toBe(404);
    expect(error.message).toMatch(/bucket "missing-bucket" does not exist at http:\/\/127\.0\.0\.1:9000: create it/);
  });

  it('maps bad credentials to Unauthenticated', () => {
    const sdk = new S3ServiceException({ name: 'InvalidAccessKeyId', $fault: 'client', message: 'The Access Key Id you provided does not exist in our records.', $metadata: { httpStatusCode: 403 } });
    const error = fromSdkError(sdk, context);
    expect(error.code).toBe('Unauthenticated');
    expect(error.message).toMatch(/check `credentials`/);
    expect(error.retryable).toBe(false);
  });

  it('maps a refused connection to Network with the endpoint', () => {
    const sdk = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9000'), { code: 'ECONNREFUSED', $metadata: {} });
    const error = fromSdkError(sdk, context);
    expect(error.code).toBe('Network');
    expect(error.message).toContain('http://127.0.0.1:9000');
  });

  it('redacts signatures in causes and in toJSON()', () => {
    const sdk = new S3ServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      message: 'denied for http://h/b/k?X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2Fx&X-Amz-Signature=deadbeef',
      $metadata: { httpStatusCode: 403 },
    });
    const error = fromSdkError(sdk, context);
    const text = JSON.stringify(error.toJSON()) + error.message + String((error.cause as Error).message);
    expect(text).not.toMatch(/AKIAIOSFODNN7EXAMPLE|deadbeef/);
  });

  it('passes a FileXferError through', () => {
    const original = new FileXferError('InvalidInput', 'x');
    expect(fromSdkError(original, context)).toBe(original);
  });
});
