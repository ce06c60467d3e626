import { signUrl, verifyUrl } from './signing.js';

const secret = 'a-secret-of-enough-length';
const now = 1_800_000_000_000;

test('a signed URL verifies for its method until it expires', () => {
  const url = new URL(signUrl(secret, 'GET', new URL('http://h/o/a.txt'), 60, now));
  expect(verifyUrl(secret, 'GET', url, now)).toBe('ok');
  expect(verifyUrl(secret, 'GET', url, now + 61_000)).toBe('expired');
  expect(verifyUrl(secret, 'PUT', url, now)).toBe('bad-signature');
  expect(verifyUrl('another-secret-entirely', 'GET', url, now)).toBe('bad-signature');
});

test('changing the path, a parameter or the expiry breaks the signature', () => {
  const signed = signUrl(secret, 'POST', new URL('http://h/u?key=a'), 60, now);
  const otherPath = new URL(signed.replace('/u?', '/u/x?'));
  const otherKey = new URL(signed.replace('key=a', 'key=b'));
  const longer = new URL(signed);
  longer.searchParams.set('X-Filexfer-Expires', String(Number(longer.searchParams.get('X-Filexfer-Expires')) + 3600));
  for (const u of [otherPath, otherKey, longer]) expect(verifyUrl(secret, 'POST', u, now)).toBe('bad-signature');
  expect(verifyUrl(secret, 'POST', new URL('http://h/u?key=a'), now)).toBe('missing');
});
