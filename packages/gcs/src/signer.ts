/**
 * V4 signed URLs. With a service-account key they are signed here with
 * node:crypto, exactly as the SDK's URLSigner does (a unit test checks the two
 * give the same URL); without one, the SDK signs (Application Default
 * Credentials sign through the IAM signBlob API).
 * https://cloud.google.com/storage/docs/access-control/signing-urls-manually
 *
 * Why not the SDK for keys too: in @google-cloud/storage 8 a key reaches the
 * signer only through the deprecated `credentials` option (a JWT `authClient`
 * has no client_email for the signer), which logs a deprecation warning on
 * every construction.
 */
import { createHash, createPrivateKey, createSign, type KeyObject } from 'node:crypto';
import { Storage } from '@google-cloud/storage';
import type { GcsServiceAccountKey, ResolvedGcsOptions } from './options.js';

export type SignMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface SignInput {
  method: SignMethod;
  bucket: string;
  key: string;
  expiresIn: number;
  /** Headers the request will carry and the signature covers (names lower-case): content-type, x-goog-*. */
  headers: Record<string, string>;
  /** Signing time; default now. */
  now?: Date;
}

export interface UrlSigner {
  /** The origin signed URLs point at, e.g. https://storage.googleapis.com. */
  readonly endpoint: string;
  sign(input: SignInput): Promise<string>;
}

export const DEFAULT_ENDPOINT = 'https://storage.googleapis.com';

export function createSigner(options: ResolvedGcsOptions): UrlSigner {
  if (options.storage) return new SdkSigner(options.storage);
  const endpoint = options.apiEndpoint ?? emulatorHost() ?? DEFAULT_ENDPOINT;
  if (options.key) return new KeySigner(endpoint, options.key);
  return new SdkSigner(
    new Storage({
      ...(options.projectId ? { projectId: options.projectId } : {}),
      ...(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {}),
      ...(options.keyFilename ? { keyFilename: options.keyFilename } : {}),
    }),
  );
}

/** Signs locally with the key's RSA private key (GOOG4-RSA-SHA256). */
export class KeySigner implements UrlSigner {
  private readonly privateKey: KeyObject;
  private readonly email: string;

  constructor(
    readonly endpoint: string,
    key: GcsServiceAccountKey,
  ) {
    this.privateKey = createPrivateKey(key.private_key);
    this.email = key.client_email;
  }

  async sign(input: SignInput): Promise<string> {
    const now = input.now ?? new Date();
    const url = new URL(this.endpoint);
    const datetime = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const date = datetime.slice(0, 8);
    const scope = `${date}/auto/storage/goog4_request`;
    const headers: Record<string, string> = { host: url.host };
    for (const [name, value] of Object.entries(input.headers)) headers[name.toLowerCase()] = value;
    const names = Object.keys(headers).sort();
    const signedHeaders = names.join(';');
    const query: Record<string, string> = {
      'X-Goog-Algorithm': 'GOOG4-RSA-SHA256',
      'X-Goog-Credential': `${this.email}/${scope}`,
      'X-Goog-Date': datetime,
      'X-Goog-Expires': String(input.expiresIn),
      'X-Goog-SignedHeaders': signedHeaders,
    };
    const canonicalQuery = Object.keys(query)
      .sort()
      .map((k) => `${encodeRfc3986(k)}=${encodeRfc3986(query[k]!)}`)
      .join('&');
    const path = `/${input.bucket}/${input.key.split('/').map(encodeRfc3986).join('/')}`;
    const canonicalHeaders = names.map((n) => `${n}:${headers[n]!.trim().replace(/\s{2,}/g, ' ')}\n`).join('');
    const canonicalRequest = [input.method, path, canonicalQuery, canonicalHeaders, signedHeaders, 'UNSIGNED-PAYLOAD'].join('\n');
    const stringToSign = ['GOOG4-RSA-SHA256', datetime, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
    const signature = createSign('RSA-SHA256').update(stringToSign).sign(this.privateKey, 'hex');
    return `${url.origin}${path}?${canonicalQuery}&X-Goog-Signature=${signature}`;
  }
}

/** Signs through the SDK: a Storage client the user passed, or Application Default Credentials. */
export class SdkSigner implements UrlSigner {
  readonly endpoint: string;

  constructor(private readonly storage: Storage) {
    this.endpoint = storage.apiEndpoint;
  }

  async sign(input: SignInput): Promise<string> {
    const { 'content-type': contentType, 'x-goog-resumable': _resumable, ...extensionHeaders } = lowerCased(input.headers);
    const action = input.method === 'GET' ? 'read' : input.method === 'PUT' ? 'write' : input.method === 'DELETE' ? 'delete' : 'resumable';
    const now = input.now ?? new Date();
    const [url] = await this.storage
      .bucket(input.bucket)
      .file(input.key)
      .getSignedUrl({
        version: 'v4',
        action,
        accessibleAt: now,
        expires: now.getTime() + input.expiresIn * 1000,
        ...(contentType ? { contentType } : {}),
        ...(Object.keys(extensionHeaders).length > 0 ? { extensionHeaders } : {}),
      });
    return url;
  }
}

/** Every byte but A-Z a-z 0-9 - . _ ~ percent-encoded, as V4 canonical requests want. */
function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function lowerCased(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** The SDK's own emulator variable (host or URL). */
function emulatorHost(): string | undefined {
  const value = process.env.STORAGE_EMULATOR_HOST;
  if (!value) return undefined;
  return new URL(value.includes('://') ? value : `http://${value}`).origin;
}
