import type { S3Client } from '@aws-sdk/client-s3';
import { FileXferError } from '@filexfer/core';

/** Static S3 credentials (the SDK's AwsCredentialIdentity shape). */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A function the SDK calls for (and refreshes) credentials. */
export type S3CredentialProvider = () => Promise<S3Credentials>;

/** Options of `new S3Adapter(...)`. Only `bucket` is required. */
export interface S3AdapterOptions {
  /** The bucket objects go to. Must exist: the adapter never creates buckets. */
  bucket: string;
  /**
   * The bucket's region. Default: with an `endpoint`, 'us-east-1' (what MinIO
   * and Ceph use unless configured otherwise; R2 accepts it too); without one,
   * the SDK's standard chain (AWS_REGION, the shared config file...).
   */
  region?: string;
  /**
   * An S3-compatible endpoint, e.g. 'http://127.0.0.1:9000' (MinIO),
   * 'https://<account>.r2.cloudflarestorage.com' (R2). Default: AWS S3.
   */
  endpoint?: string;
  /**
   * Put the bucket in the path (https://host/bucket/key) instead of the host
   * name (https://bucket.host/key). Default: true with an `endpoint`, because
   * self-hosted stores rarely have wildcard DNS (and an IP address cannot carry
   * a bucket name); false for AWS, where path style is deprecated.
   */
  forcePathStyle?: boolean;
  /**
   * Static credentials or a provider. Default: the SDK's standard chain
   * (environment, shared files, SSO, container and instance roles).
   */
  credentials?: S3Credentials | S3CredentialProvider;
  /**
   * An S3Client you already have; the adapter uses it as is and never destroys
   * it. Give either this or region/endpoint/forcePathStyle/credentials.
   */
  client?: S3Client;
  /**
   * How a multipart object's CRC32C is kept. 'FULL_OBJECT': the CRC32C of all
   * its bytes, checked by the store at Complete and reported by `stat()` (AWS
   * S3, MinIO). 'COMPOSITE': a checksum of the part checksums; each part is
   * still checked, and downloads are verified against the whole-object CRC32C
   * the sender reports (`file.checksum`). Default: 'FULL_OBJECT', except
   * 'COMPOSITE' for Cloudflare R2 endpoints (*.r2.cloudflarestorage.com), which
   * keep CRC32C only as COMPOSITE.
   * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
   * https://developers.cloudflare.com/r2/api/s3/api/
   */
  checksumType?: S3ChecksumType;
  /**
   * Whether the store verifies URL signatures and expiry (AWS, MinIO, R2 and
   * Ceph do). Default: true. Only the conformance suite reads this.
   */
  checksSignatures?: boolean;
}

export type S3ChecksumType = 'FULL_OBJECT' | 'COMPOSITE';

export interface ResolvedS3Options {
  bucket: string;
  client?: S3Client;
  region?: string;
  endpoint?: string;
  forcePathStyle: boolean;
  credentials?: S3Credentials | S3CredentialProvider;
  checksumType: S3ChecksumType;
  checksSignatures: boolean;
}

/** The region an S3-compatible endpoint gets when none is given (see `region`). */
export const DEFAULT_COMPATIBLE_REGION = 'us-east-1';

function invalid(message: string): FileXferError {
  return new FileXferError('InvalidInput', `S3Adapter: ${message}`, { adapter: 's3', operation: 'configure' });
}

/** Checks the options at construction, with messages that say what to do. */
export function resolveOptions(options: S3AdapterOptions): ResolvedS3Options {
  if (options === null || typeof options !== 'object') {
    throw invalid('pass an options object, e.g. new S3Adapter({ bucket: "my-uploads" }).');
  }
  const { bucket, client, region, endpoint, forcePathStyle, credentials, checksumType, checksSignatures } = options;
  if (typeof bucket !== 'string' || bucket.trim() === '') {
    throw invalid('`bucket` is required: the name of an existing bucket, e.g. { bucket: "my-uploads" }.');
  }
  if (bucket !== bucket.trim() || bucket.includes('/')) {
    throw invalid(`\`bucket\` must be a bare bucket name without spaces or "/" (got "${bucket}"); put a key prefix in the key instead.`);
  }
  if (client !== undefined) {
    if (typeof client !== 'object' || client === null || typeof (client as { send?: unknown }).send !== 'function') {
      throw invalid('`client` must be an S3Client from @aws-sdk/client-s3.');
    }
    const extra = (['region', 'endpoint', 'forcePathStyle', 'credentials'] as const).filter((k) => options[k] !== undefined);
    if (extra.length > 0) {
      throw invalid(`pass either \`client\` or ${extra.map((k) => `\`${k}\``).join(', ')}, not both: a client already carries its own configuration.`);
    }
  }
  if (region !== undefined && (typeof region !== 'string' || region.trim() === '')) {
    throw invalid('`region` must be a non-empty string such as "eu-west-1", or left out.');
  }
  if (endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw invalid(`\`endpoint\` must be an absolute URL such as "http://127.0.0.1:9000" (got "${endpoint}").`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw invalid(`\`endpoint\` must use http: or https: (got "${url.protocol}").`);
    }
    if (url.search || url.username || url.password) {
      throw invalid('`endpoint` must not carry a query string or credentials; pass credentials in `credentials`.');
    }
  }
  if (forcePathStyle !== undefined && typeof forcePathStyle !== 'boolean') {
    throw invalid('`forcePathStyle` must be true or false.');
  }
  if (credentials !== undefined && typeof credentials !== 'function') {
    const c = credentials as Partial<S3Credentials>;
    if (typeof c !== 'object' || c === null || typeof c.accessKeyId !== 'string' || c.accessKeyId === '' || typeof c.secretAccessKey !== 'string' || c.secretAccessKey === '') {
      throw invalid('`credentials` must be { accessKeyId, secretAccessKey, sessionToken? } with non-empty strings, or a credential provider function.');
    }
  }
  if (checksumType !== undefined && checksumType !== 'FULL_OBJECT' && checksumType !== 'COMPOSITE') {
    throw invalid('`checksumType` must be "FULL_OBJECT" or "COMPOSITE".');
  }
  if (checksSignatures !== undefined && typeof checksSignatures !== 'boolean') {
    throw invalid('`checksSignatures` must be true or false.');
  }
  return {
    bucket,
    client,
    region: region ?? (endpoint !== undefined ? DEFAULT_COMPATIBLE_REGION : undefined),
    endpoint,
    forcePathStyle: forcePathStyle ?? endpoint !== undefined,
    credentials,
    checksumType: checksumType ?? (endpoint !== undefined && /\.r2\.cloudflarestorage\.com$/i.test(new URL(endpoint).hostname) ? 'COMPOSITE' : 'FULL_OBJECT'),
    checksSignatures: checksSignatures ?? true,
  };
}
