import { classifySharedUrlError, sharedUrlChecksums } from './url-adapter';

const reply = (status: number, bodyText: string, headers: Record<string, string> = {}) => ({ status, headers, bodyText });

test('the local store\'s JSON errors are read as they are', () => {
  expect(classifySharedUrlError(reply(403, '{"code":"Expired","message":"Request has expired"}'))).toEqual({ code: 'Expired', message: 'Request has expired' });
});

test('S3 / Azure XML errors', () => {
  const s3 = '<?xml version="1.0"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message></Error>';
  expect(classifySharedUrlError(reply(403, s3))?.code).toBe('PermissionDenied');
  const expired = '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>';
  expect(classifySharedUrlError(reply(403, expired))?.code).toBe('Expired');
  const missing = '<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>';
  expect(classifySharedUrlError(reply(404, missing))?.code).toBe('NotFound');
  const azure = '<Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request.\nRequestId:1</Message><AuthenticationErrorDetail>Signature did not match. String to sign used was r\n2025</AuthenticationErrorDetail></Error>';
  const classified = classifySharedUrlError(reply(403, azure));
  expect(classified?.code).toBe('PermissionDenied');
  expect(classified?.message).not.toContain('String to sign');
  expect(classifySharedUrlError(reply(500, 'oops'))).toBeUndefined();
});

test('whole-object checksums from the reply', () => {
  expect(sharedUrlChecksums(reply(206, '', { 'x-filexfer-crc32c': 'AAAAAA==' }))).toEqual({ crc32c: 'AAAAAA==' });
  expect(sharedUrlChecksums(reply(200, '', { 'x-goog-hash': 'crc32c=n03x6A==,md5=Ojk9c3dhfxgoKVVHYwFbHQ==' }))).toEqual({ crc32c: 'n03x6A==' });
  expect(sharedUrlChecksums(reply(206, '', { 'x-goog-hash': 'crc32c=n03x6A==' }))).toEqual({});
  expect(sharedUrlChecksums(reply(200, '', {}))).toEqual({});
});
