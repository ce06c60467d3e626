import { checksumsFromGcsResponse, classifyGcsError, parseGoogHash } from './errors.js';

const xml = (code: string, message: string, extra = '') => `<?xml version='1.0' encoding='UTF-8'?><Error><Code>${code}</Code><Message>${message}</Message>${extra}</Error>`;
const reply = (status: number, bodyText: string) => ({ status, headers: {}, bodyText });

test.each([
  [400, xml('ExpiredToken', 'Invalid argument.', '<Details>Request has expired: 1700000000</Details>'), 'Expired'],
  [400, xml('AccessDenied', 'Request has expired'), 'Expired'],
  [403, xml('SignatureDoesNotMatch', 'Access denied.'), 'Unauthenticated'],
  [400, xml('MalformedSecurityHeader', 'Your request has a malformed header.'), 'Unauthenticated'],
  [403, xml('AccessDenied', 'Access denied.'), 'PermissionDenied'],
  [404, xml('NoSuchBucket', 'The specified bucket does not exist.'), 'NotFound'],
  [404, xml('NoSuchKey', 'The specified key does not exist.'), 'NotFound'],
  [400, xml('BadDigest', 'The CRC32C you specified did not match what we computed.'), 'ChecksumMismatch'],
  [413, xml('EntityTooLarge', 'Too large.'), 'TooLarge'],
  [412, xml('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold.'), 'Precondition'],
  [429, xml('SlowDown', 'Please reduce your request rate.'), 'Unavailable'],
  [404, JSON.stringify({ error: { code: 404, message: 'No such object: b/k', errors: [{ reason: 'notFound' }] } }), 'NotFound'],
  [400, JSON.stringify({ error: { code: 400, message: 'provided CRC32C "x" doesn\'t match calculated CRC32C "y"' } }), 'ChecksumMismatch'],
])('%i %s -> %s', (status, body, code) => {
  expect(classifyGcsError(reply(status, body))?.code).toBe(code);
});

test('an unknown reply is left to core\'s status mapping', () => {
  expect(classifyGcsError(reply(404, 'Not Found'))).toBeUndefined();
  expect(classifyGcsError(reply(500, ''))).toBeUndefined();
});

test('a signature error never repeats the StringToSign, CanonicalRequest or Details GCS echoes', () => {
  const body = xml(
    'SignatureDoesNotMatch',
    'Access denied.',
    '<Details>The request signature we calculated does not match.</Details><StringToSign>GOOG4-RSA-SHA256\n20260101T000000Z\nsecret-scope</StringToSign><CanonicalRequest>GET /b/k X-Goog-Signature=abcdef0123456789</CanonicalRequest>',
  );
  const message = classifyGcsError(reply(403, body))!.message;
  expect(message).toMatch(/SignatureDoesNotMatch/);
  expect(message).not.toMatch(/GOOG4|secret-scope|abcdef0123456789|CanonicalRequest/);
});

test('a missing bucket says how to fix it', () => {
  expect(classifyGcsError(reply(404, xml('NoSuchBucket', 'The specified bucket does not exist.')))!.message).toMatch(/create it .* or fix the `bucket` option/);
});

test('x-goog-hash parsing, including repeated headers joined with ", "', () => {
  expect(parseGoogHash('crc32c=n03x6A==,md5=Ojk9c3dhfxgoKVVHYwFbHQ==')).toEqual({ crc32c: 'n03x6A==', md5: 'Ojk9c3dhfxgoKVVHYwFbHQ==' });
  expect(parseGoogHash('crc32c=n03x6A==, md5=Ojk9c3dhfxgoKVVHYwFbHQ==')).toEqual({ crc32c: 'n03x6A==', md5: 'Ojk9c3dhfxgoKVVHYwFbHQ==' });
  expect(parseGoogHash('crc32c=n03x6A==')).toEqual({ crc32c: 'n03x6A==' });
  expect(parseGoogHash('crc32c=bogus')).toEqual({});
  expect(parseGoogHash(undefined)).toEqual({});
});

test('checksumsFromResponse: whole-object hashes on 200 and 206, none for a transcoded gzip object or an error', () => {
  const headers = { 'x-goog-hash': 'crc32c=n03x6A==,md5=Ojk9c3dhfxgoKVVHYwFbHQ==' };
  expect(checksumsFromGcsResponse({ status: 200, headers })).toEqual({ crc32c: 'n03x6A==', md5: 'Ojk9c3dhfxgoKVVHYwFbHQ==' });
  expect(checksumsFromGcsResponse({ status: 206, headers: { ...headers, 'content-range': 'bytes 10-99/100' } }).crc32c).toBe('n03x6A==');
  expect(checksumsFromGcsResponse({ status: 200, headers: { ...headers, 'x-goog-stored-content-encoding': 'gzip' } })).toEqual({});
  expect(checksumsFromGcsResponse({ status: 200, headers: { ...headers, 'x-goog-stored-content-encoding': 'gzip', 'content-encoding': 'gzip' } }).crc32c).toBe('n03x6A==');
  expect(checksumsFromGcsResponse({ status: 404, headers })).toEqual({});
});
