/**
 * Presigning with the SDK, keeping the headers the signature covers.
 *
 * `getSignedUrl` returns only the URL; a header left out of the query string
 * (here `x-amz-checksum-crc32c`, so S3 checks the part against it) is signed
 * and must then be sent exactly. A middleware at the outermost step sees the
 * presigned request on its way out and keeps its headers.
 */
import type { GetObjectCommand, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { SignedRequest } from '@filexfer/core';

/** The commands filexfer presigns. */
export type Presignable = GetObjectCommand | PutObjectCommand | UploadPartCommand;


/**
 * A view of `client` for presigning only, with the SDK's flexible checksums
 * off. Since @aws-sdk/client-s3 3.729 a client computes a CRC32 of the request
 * body by default; when presigning there is no body, so it would sign the CRC32
 * of *zero bytes* into the URL and every real upload would fail. We send
 * checksums we compute ourselves instead. A view (not a new client) so that a
 * user's own client keeps its credentials, endpoint and middleware.
 * https://github.com/aws/aws-sdk-js-v3/issues/6810
 */
export function presigningView(client: S3Client): S3Client {
  const whenRequired = () => Promise.resolve('WHEN_REQUIRED' as const);
  return {
    config: { ...client.config, requestChecksumCalculation: whenRequired, responseChecksumValidation: whenRequired },
    middlewareStack: client.middlewareStack,
  } as unknown as S3Client;
}

export interface PresignOptions {
  expiresIn: number;
  /** Header names (lower case) to keep as signed headers rather than hoisting into the query string. */
  signedHeaders?: string[];
  /** Return the Content-Type the command set (S3 stores it with the object; it is not signed). */
  withContentType?: boolean;
}

export async function presign(client: S3Client, command: Presignable, options: PresignOptions): Promise<SignedRequest> {
  let headers: Record<string, string> = {};
  let method = 'GET';
  // Typed loosely: each command's stack is typed by its own input and output.
  (command.middlewareStack as { add(mw: unknown, options: unknown): void }).add(
    (next: (args: unknown) => Promise<{ output: unknown }>) => async (args: unknown) => {
      const result = await next(args);
      const presigned = (result.output as { presigned?: { headers?: Record<string, string>; method?: string } }).presigned;
      if (presigned) {
        headers = { ...presigned.headers };
        method = presigned.method ?? method;
      }
      return result;
    },
    { step: 'initialize', name: 'filexferCapturePresigned', override: true },
  );
  const url = await getSignedUrl(client, command as Parameters<typeof getSignedUrl>[1], {
    expiresIn: options.expiresIn,
    unhoistableHeaders: new Set(options.signedHeaders ?? []),
  });
  // Return only what the receiver of this request must send: the signed
  // headers (the URL lists them) and, for PutObject, the content type. The
  // SDK's user-agent and host are left to the sender.
  const signed = new Set((new URL(url).searchParams.get('X-Amz-SignedHeaders') ?? '').split(';'));
  signed.delete('host');
  if (options.withContentType) signed.add('content-type');
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (signed.has(name.toLowerCase())) kept[name.toLowerCase()] = value;
  }
  const result: SignedRequest = { method: method.toUpperCase() as SignedRequest['method'], url };
  if (Object.keys(kept).length > 0) result.headers = kept;
  return result;
}
