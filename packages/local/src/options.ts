/** Options of the local store's adapter, checked at construction. */
import { FileXferError } from '@filexfer/core';

export interface LocalAdapterOptions {
  /** Base URL of a running local store server, e.g. http://127.0.0.1:7373 */
  endpoint: string;
  /** The server's HMAC secret (`filexfer serve` prints where it keeps it). */
  secret: string;
  /** Seconds control requests (create, complete, list, abort) stay valid. Default 300: they are sent at once. */
  controlExpiresIn?: number;
}

export function checkOptions(options: LocalAdapterOptions): Required<LocalAdapterOptions> {
  if (!options || typeof options.endpoint !== 'string') {
    throw new FileXferError('InvalidInput', 'LocalAdapter needs `endpoint`, the URL of a local store server (or use `await LocalAdapter.start({ root })` for an embedded one).');
  }
  let url: URL;
  try {
    url = new URL(options.endpoint);
  } catch {
    throw new FileXferError('InvalidInput', `LocalAdapter endpoint ${JSON.stringify(options.endpoint)} is not a URL; use e.g. http://127.0.0.1:7373`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FileXferError('InvalidInput', 'LocalAdapter endpoint must be http:// or https://');
  if (typeof options.secret !== 'string' || options.secret.length < 16) {
    throw new FileXferError('InvalidInput', 'LocalAdapter needs the server\'s `secret` (16 characters or more) to sign URLs.');
  }
  return { endpoint: url.origin, secret: options.secret, controlExpiresIn: options.controlExpiresIn ?? 300 };
}
