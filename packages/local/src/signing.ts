/**
 * HMAC-SHA256 signed, expiring URLs. The signature covers the method, the
 * path and every other query parameter (sorted), so no part of a URL can be
 * changed or reused for another object or operation.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const EXPIRES_PARAM = 'X-Filexfer-Expires';
export const SIGNATURE_PARAM = 'X-Filexfer-Signature';

function canonical(method: string, url: URL): string {
  const params = [...url.searchParams.entries()]
    .filter(([name]) => name !== SIGNATURE_PARAM)
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');
  return `${method.toUpperCase()}\n${url.pathname}\n${params}`;
}

function hmac(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('base64url');
}

/** Returns `url` with an expiry `expiresIn` seconds from now and its signature. */
export function signUrl(secret: string, method: string, url: URL, expiresIn: number, now = Date.now()): string {
  const signed = new URL(url);
  signed.searchParams.delete(SIGNATURE_PARAM);
  signed.searchParams.set(EXPIRES_PARAM, String(Math.floor(now / 1000) + Math.max(1, Math.floor(expiresIn))));
  signed.searchParams.set(SIGNATURE_PARAM, hmac(secret, canonical(method, signed)));
  return signed.toString();
}

export type Verdict = 'ok' | 'missing' | 'bad-signature' | 'expired';

export function verifyUrl(secret: string, method: string, url: URL, now = Date.now()): Verdict {
  const signature = url.searchParams.get(SIGNATURE_PARAM);
  const expires = Number(url.searchParams.get(EXPIRES_PARAM));
  if (!signature || !Number.isFinite(expires)) return 'missing';
  const expected = Buffer.from(hmac(secret, canonical(method, url)));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'bad-signature';
  if (Math.floor(now / 1000) >= expires) return 'expired';
  return 'ok';
}
