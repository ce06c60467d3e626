/**
 * Object keys for the local store. A key is a relative, '/'-separated path;
 * anything that could step outside the root folder, or into the store's own
 * `.filexfer` bookkeeping folder, is refused before it touches the disk.
 */
import { resolve, sep } from 'node:path';
import { FileXferError } from '@filexfer/core';

export const INTERNAL_DIR = '.filexfer';
export const MAX_KEY_BYTES = 1024;

export function checkKey(key: string): string {
  const fail = (why: string) => new FileXferError('InvalidInput', `Invalid key ${JSON.stringify(key.slice(0, 100))}: ${why}`, { adapter: 'local', key: key.slice(0, 100) });
  if (typeof key !== 'string' || key.length === 0) throw fail('a key must be a non-empty string such as "photos/cat.jpg".');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw fail(`keys are at most ${MAX_KEY_BYTES} bytes of UTF-8.`);
  if (/[\0\\]/.test(key)) throw fail('use "/" to separate folders; NUL and "\\" are not allowed.');
  if (key.startsWith('/')) throw fail('keys are relative: drop the leading "/".');
  const segments = key.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) throw fail('empty, "." and ".." path segments are not allowed.');
  if (segments[0] === INTERNAL_DIR) throw fail(`"${INTERNAL_DIR}/" is the store's own folder.`);
  return key;
}

/** The file that holds `key`, guaranteed inside `root`. */
export function pathForKey(root: string, key: string): string {
  checkKey(key);
  const full = resolve(root, ...key.split('/'));
  if (!full.startsWith(resolve(root) + sep)) throw new FileXferError('InvalidInput', 'The key resolves outside the store root.', { adapter: 'local' });
  return full;
}

/** URL path for a key: each segment percent-encoded. */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}
