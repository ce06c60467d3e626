import { codeForStatus, displayUrl, FileXferError, redact } from './errors.js';

test.each([
  ['https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIAXXXX%2F2024&X-Amz-Signature=deadbeefcafe', ['AKIAXXXX', 'deadbeefcafe']],
  ['https://storage.googleapis.com/b/k?X-Goog-Signature=0123456789abcdef&X-Goog-Credential=sa%40p', ['0123456789abcdef', 'sa%40p']],
  ['https://acct.blob.core.windows.net/c/b?sv=2024&se=2030&sp=r&sig=AbCdEf%3D', ['AbCdEf%3D']],
  ['http://127.0.0.1:7373/o/k?X-Filexfer-Expires=1&X-Filexfer-Signature=zzzSECRETzzz', ['zzzSECRETzzz']],
  ['DefaultEndpointsProtocol=http;AccountName=dev;AccountKey=Eby8vdM02xNOcqF==;', ['Eby8vdM02xNOcqF']],
])('redact removes signatures and keys from %s', (text, secrets) => {
  const clean = redact(`failed: ${text}`);
  for (const secret of secrets) expect(clean).not.toContain(secret);
});

test('messages, toJSON and causes of FileXferError never hold a signature', () => {
  const url = 'https://h/k?X-Amz-Signature=topsecret123';
  const error = new FileXferError('Network', `GET ${url} failed`, { cause: new Error(`socket hang up ${url}`) });
  const text = error.message + JSON.stringify(error) + String((error.cause as Error).message);
  expect(text).not.toContain('topsecret123');
  expect(error.retryable).toBe(true);
  expect(displayUrl(url)).toBe('https://h/k?<signature redacted>');
});

test('HTTP statuses map to codes once, here', () => {
  expect([400, 401, 403, 404, 409, 412, 429, 500, 503].map(codeForStatus)).toEqual([
    'InvalidInput', 'Unauthenticated', 'PermissionDenied', 'NotFound', 'Conflict', 'Precondition', 'Unavailable', 'Unavailable', 'Unavailable',
  ]);
});
