import { FileXferError } from '@filexfer/core';
import { CliError, ExitCode, exitCodeFor, isMissingCredentials } from './exit-codes';
import { describeError, exitCodeOf } from './report';

const err = (code: ConstructorParameters<typeof FileXferError>[0], cause?: unknown) => new FileXferError(code, `${code} happened`, { cause });

test.each([
  ['NotFound', 'credentials', ExitCode.OBJECT_NOT_FOUND],
  ['PermissionDenied', 'credentials', ExitCode.PERMISSION],
  ['PermissionDenied', 'url', ExitCode.URL_REFUSED],
  ['Unauthenticated', 'credentials', ExitCode.CREDENTIALS],
  ['Unauthenticated', 'url', ExitCode.URL_REFUSED],
  ['Expired', 'url', ExitCode.URL_REFUSED],
  ['Network', 'url', ExitCode.UNREACHABLE],
  ['Unavailable', 'credentials', ExitCode.UNREACHABLE],
  ['ChecksumMismatch', 'url', ExitCode.INTEGRITY],
  ['InvalidInput', 'credentials', ExitCode.USAGE],
  ['Aborted', 'credentials', ExitCode.INTERRUPTED],
  ['Conflict', 'credentials', ExitCode.FAILURE],
] as const)('%s signed by %s -> %i', (code, signedBy, exit) => {
  expect(exitCodeFor(err(code), signedBy)).toBe(exit);
});

test('node errors and wrapped causes', () => {
  const enoent = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
  expect(exitCodeFor(enoent)).toBe(ExitCode.FILE_NOT_FOUND);
  expect(exitCodeFor(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe(ExitCode.PERMISSION);
  expect(exitCodeFor(err('Unknown', enoent))).toBe(ExitCode.FILE_NOT_FOUND);
  expect(exitCodeFor(new CliError(ExitCode.BAD_STORE_URL, 'x'))).toBe(ExitCode.BAD_STORE_URL);
  expect(exitCodeFor(new Error('what'))).toBe(ExitCode.FAILURE);
});

test('missing credentials, as each SDK says it', () => {
  const aws = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
  expect(isMissingCredentials(aws)).toBe(true);
  expect(exitCodeFor(new FileXferError('Unknown', 'sign failed', { cause: aws }))).toBe(ExitCode.CREDENTIALS);
  expect(isMissingCredentials(new Error('Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication'))).toBe(true);
  expect(isMissingCredentials(new Error('socket hang up'))).toBe(false);
});

test('the local store: a refused signature on a request the CLI signed means a wrong secret', () => {
  expect(exitCodeOf(err('PermissionDenied'), { scheme: 'local', signedBy: 'credentials' })).toBe(ExitCode.CREDENTIALS);
  expect(exitCodeOf(err('PermissionDenied'), { scheme: 'local', signedBy: 'url' })).toBe(ExitCode.URL_REFUSED);
  expect(exitCodeOf(err('PermissionDenied'), { scheme: 's3', signedBy: 'credentials' })).toBe(ExitCode.PERMISSION);
});

test('messages are redacted and carry a hint', () => {
  const info = describeError(new Error('GET http://h/o?X-Amz-Signature=abcdef0123&X-Amz-Credential=AKIA/x failed; password=hunter2'), { scheme: 's3' });
  expect(info.message).not.toMatch(/abcdef0123|AKIA|hunter2/);
  const creds = describeError(err('Unauthenticated'), { scheme: 's3', signedBy: 'credentials' });
  expect(creds).toMatchObject({ code: 'Unauthenticated', exitCode: 4 });
  expect(creds.hint).toContain('AWS_ACCESS_KEY_ID');
});
