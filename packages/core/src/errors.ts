/**
 * One error class for every store, with a code to switch on. The HTTP status
 * mapping is written once here; adapters refine it with `classifyError`.
 * Messages and `toJSON()` never carry a credential or a URL signature.
 */
export type FileXferErrorCode =
  | 'NotFound'
  | 'PermissionDenied'
  | 'Unauthenticated'
  | 'Precondition'
  | 'Aborted'
  | 'ChecksumMismatch'
  | 'Expired'
  | 'Network'
  | 'Unavailable'
  | 'InvalidInput'
  | 'TooLarge'
  | 'Conflict'
  | 'Unknown';

export interface FileXferErrorOptions {
  adapter?: string;
  operation?: string;
  key?: string;
  status?: number;
  cause?: unknown;
  /** Overrides the default for the code. */
  retryable?: boolean;
}

const RETRYABLE: ReadonlySet<FileXferErrorCode> = new Set(['Network', 'Unavailable', 'Expired']);

export class FileXferError extends Error {
  override readonly name = 'FileXferError';
  readonly code: FileXferErrorCode;
  readonly adapter?: string;
  readonly operation?: string;
  readonly key?: string;
  readonly status?: number;
  /** True when sending the same request again may succeed (network, 5xx, 429, an expired signature). */
  readonly retryable: boolean;

  constructor(code: FileXferErrorCode, message: string, options: FileXferErrorOptions = {}) {
    super(redact(message), options.cause === undefined ? undefined : { cause: sanitizeCause(options.cause) });
    this.code = code;
    this.adapter = options.adapter;
    this.operation = options.operation;
    this.key = options.key;
    this.status = options.status;
    this.retryable = options.retryable ?? RETRYABLE.has(code);
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      adapter: this.adapter,
      operation: this.operation,
      key: this.key,
      status: this.status,
      retryable: this.retryable,
    };
  }
}

export function isFileXferError(error: unknown, code?: FileXferErrorCode): error is FileXferError {
  return error instanceof FileXferError && (code === undefined || error.code === code);
}

/** The error a stop or an AbortSignal produces: code Aborted, and `name` stays FileXferError. */
export function abortedError(options: FileXferErrorOptions = {}): FileXferError {
  return new FileXferError('Aborted', 'The transfer was stopped before it finished.', { ...options, retryable: false });
}

/** Core's HTTP status mapping, used when an adapter does not classify a reply itself. */
export function codeForStatus(status: number): FileXferErrorCode {
  if (status === 400) return 'InvalidInput';
  if (status === 401) return 'Unauthenticated';
  if (status === 403) return 'PermissionDenied';
  if (status === 404 || status === 410) return 'NotFound';
  if (status === 409) return 'Conflict';
  if (status === 412 || status === 416) return 'Precondition';
  if (status === 413) return 'TooLarge';
  if (status === 408 || status === 429 || status >= 500) return 'Unavailable';
  return 'Unknown';
}

// Query parameters that carry a signature or a credential in any store's URLs
// (a GCS resumable session's upload_id lets whoever holds it write the object).
const SECRET_PARAM = /([?&](?:x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential|sig|signature|token|se|sv|sp|skoid|sktid|ske|sks|skv|googleaccessid|awsaccesskeyid|upload_id|uploadid|x-filexfer-signature)=)[^&#\s"'<>]*/gi;
// Secrets that can appear in connection strings or headers echoed in messages.
const SECRET_ASSIGN = /((?:AccountKey|SharedAccessSignature|password|secret|authorization)\s*[=:]\s*)[^;\s,"'&]+/gi;

/** Removes URL signatures and credentials from any text (messages, logs, causes). */
export function redact(text: string): string {
  return text.replace(SECRET_PARAM, '$1<redacted>').replace(SECRET_ASSIGN, '$1<redacted>');
}

/** A URL fit to show: origin and path, no query string at all. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}${u.search ? '?<signature redacted>' : ''}`;
  } catch {
    return '<invalid url>';
  }
}

function sanitizeCause(cause: unknown): unknown {
  if (cause instanceof Error) {
    const clean = new Error(redact(cause.message));
    clean.name = cause.name;
    const code = (cause as { code?: unknown }).code;
    if (code !== undefined) (clean as { code?: unknown }).code = code;
    return clean;
  }
  return typeof cause === 'string' ? redact(cause) : undefined;
}
