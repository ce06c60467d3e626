import { FileXferError, type StoreResponse } from '@filexfer/core';
import { classifyResponse, fromSdkError, sasExpiredAt } from './errors.js';

const ctx = { container: 'uploads', accountName: 'devstoreaccount1' };

/** An Azure error reply as the engine hands it over (recorded shapes from Azure and Azurite 3.35.0). */
function reply(status: number, code: string, message: string, extra = '', date = 'Sun, 22 Nov 2026 12:00:00 GMT'): StoreResponse {
  return {
    status,
    headers: { 'x-ms-error-code': code, date, 'content-type': 'application/xml' },
    bodyText: `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:e9f62169-d01e-0020-1c42-049976000000\nTime:2026-11-22T12:00:00.7329774Z</Message>${extra}</Error>`,
  };
}
const AZURITE_AUTH = 'Server failed to authenticate the request. Make sure the value of the Authorization header is formed correctly including the signature.';

describe('classifying Azure error replies', () => {
  it('maps an expired SAS on real Azure (AuthenticationFailed with its detail) to Expired', () => {
    for (const detail of [
      'Signed expiry time [Thu, 25 Jun 2026 00:31:00 GMT] must be after signed start time [Thu, 25 Jun 2026 01:31:57 GMT]',
      'Signed expiry time [Wed, 31 Aug 2022 00:00:00 GMT] has to be after signed start time [Thu, 20 Oct 2022 20:05:51 GMT]',
      'Signature not valid in the specified time frame: Start [Mon, 16 Oct 2023 16:23:37 GMT] - Expiry [Fri, 17 Nov 2023 17:23:00 GMT] - Current [Mon, 27 Nov 2023 13:10:44 GMT]',
    ]) {
      const r = reply(403, 'AuthenticationFailed', AZURITE_AUTH, `<AuthenticationErrorDetail>${detail}</AuthenticationErrorDetail>`);
      expect(classifyResponse(r, ctx)?.code).toBe('Expired');
    }
  });

  it('maps a bad signature (wrong key, tampered URL) to Unauthenticated, saying to check the key', () => {
    const real = reply(403, 'AuthenticationFailed', AZURITE_AUTH, '<AuthenticationErrorDetail>Signature did not match. String to sign used was r</AuthenticationErrorDetail>');
    const c = classifyResponse(real, ctx);
    expect(c?.code).toBe('Unauthenticated');
    expect(c?.message).toMatch(/account key does not belong to storage account "devstoreaccount1".*accountKey \/ connectionString/);
    expect(classifyResponse(reply(403, 'AuthorizationFailure', AZURITE_AUTH), ctx)?.code).toBe('Unauthenticated');
    // A HEAD reply (stat) has only the header.
    const head = classifyResponse({ status: 403, headers: { 'x-ms-error-code': 'AuthorizationFailure' } }, ctx);
    expect(head?.code).toBe('Unauthenticated');
    expect(head?.message).toMatch(/check the account key of storage account "devstoreaccount1"/);
  });

  it("tells Azurite's expired SAS from a bad signature by the request's se= against the reply's Date", () => {
    const r = reply(403, 'AuthorizationFailure', AZURITE_AUTH, '', 'Sun, 22 Nov 2026 12:00:05 GMT');
    const expired = 'http://127.0.0.1:10000/devstoreaccount1/uploads/a?sv=2025-11-05&se=2026-11-22T12%3A00%3A04Z&sr=b&sp=cw&sig=abc';
    const fresh = 'http://127.0.0.1:10000/devstoreaccount1/uploads/a?sv=2025-11-05&se=2026-11-22T12%3A15%3A00Z&sr=b&sp=cw&sig=abc';
    expect(classifyResponse(r, { ...ctx, url: expired })?.code).toBe('Expired');
    expect(classifyResponse(r, { ...ctx, url: fresh })?.code).toBe('Unauthenticated');
    expect(sasExpiredAt(expired, 'Sun, 22 Nov 2026 12:00:04 GMT')).toBe(true);
    expect(sasExpiredAt(expired, 'Sun, 22 Nov 2026 12:00:03 GMT')).toBe(false);
    expect(sasExpiredAt('not a url', undefined)).toBe(false);
    expect(sasExpiredAt('https://a/b?sig=1', undefined)).toBe(false);
  });

  it('maps a SAS without the needed permission to PermissionDenied, saying which permissions are needed', () => {
    const c = classifyResponse(reply(403, 'AuthorizationPermissionMismatch', 'This request is not authorized to perform this operation using this permission.'), ctx);
    expect(c?.code).toBe('PermissionDenied');
    expect(c?.message).toMatch(/uploads need create\+write, downloads need read/);
    // Real Azure's AuthorizationFailure without a signature problem: firewall / policy.
    expect(classifyResponse(reply(403, 'AuthorizationFailure', 'This request is not authorized to perform this operation.'), ctx)?.code).toBe('PermissionDenied');
  });

  it('maps a missing container and a missing blob to NotFound, naming the container to create', () => {
    const c = classifyResponse(reply(404, 'ContainerNotFound', 'The specified container does not exist.'), ctx);
    expect(c).toEqual({ code: 'NotFound', message: expect.stringMatching(/Container "uploads" does not exist.*az storage container create --name uploads/) });
    expect(classifyResponse(reply(404, 'BlobNotFound', 'The specified blob does not exist.'), ctx)?.code).toBe('NotFound');
    // HEAD replies have no body: the header alone is enough.
    expect(classifyResponse({ status: 404, headers: { 'x-ms-error-code': 'ContainerNotFound' } }, ctx)?.code).toBe('NotFound');
  });

  it('maps a Content-MD5 mismatch (Azure Md5Mismatch, Azurite InvalidOperation) to ChecksumMismatch', () => {
    expect(classifyResponse(reply(400, 'Md5Mismatch', 'The MD5 value specified in the request did not match with the MD5 value calculated by the server.'), ctx)?.code).toBe('ChecksumMismatch');
    expect(classifyResponse(reply(400, 'InvalidOperation', "Provided contentMD5 doesn't match."), ctx)?.code).toBe('ChecksumMismatch');
    expect(classifyResponse(reply(400, 'InvalidOperation', 'Something else.'), ctx)).toBeUndefined();
  });

  it('maps the rest of the codes it knows, and leaves unknown ones to core', () => {
    const code = (c: string, status = 400) => classifyResponse(reply(status, c, 'x'), ctx)?.code;
    expect(code('InvalidBlockList')).toBe('Precondition');
    expect(code('ConditionNotMet', 412)).toBe('Precondition');
    expect(code('InvalidRange', 416)).toBe('Precondition');
    expect(code('InvalidBlobOrBlock')).toBe('Conflict');
    expect(code('RequestBodyTooLarge', 413)).toBe('TooLarge');
    expect(code('ServerBusy', 503)).toBe('Unavailable');
    expect(code('InternalError', 500)).toBe('Unavailable');
    expect(code('InvalidHeaderValue')).toBe('InvalidInput');
    expect(code('SomethingNew')).toBeUndefined();
    expect(classifyResponse({ status: 500, headers: {} }, ctx)).toBeUndefined();
  });

  it('reads the code from the body when the header is missing, and keeps the store words short', () => {
    const r = reply(404, 'BlobNotFound', 'The specified blob does not exist.');
    delete r.headers['x-ms-error-code'];
    const c = classifyResponse(r, ctx);
    expect(c?.code).toBe('NotFound');
    expect(c?.message).toContain('(Azure: BlobNotFound: The specified blob does not exist.)');
    expect(c?.message).not.toContain('RequestId');
  });
});

describe('SDK errors', () => {
  function restError(statusCode: number, errorCode: string, message: string) {
    return Object.assign(new Error(message), { name: 'RestError', statusCode, code: errorCode, details: { errorCode, message } });
  }

  it('become FileXferErrors with the same mapping', () => {
    const e = fromSdkError(restError(404, 'ContainerNotFound', 'The specified container does not exist.'), 'complete', 'k', ctx);
    expect(e).toBeInstanceOf(FileXferError);
    expect(e).toMatchObject({ code: 'NotFound', adapter: 'azure', operation: 'complete', key: 'k', status: 404 });
    expect(fromSdkError(restError(409, 'Whatever', 'x'), 'stat', 'k', ctx).code).toBe('Conflict');
    expect(fromSdkError(restError(503, 'ServerBusy', 'x'), 'stat', 'k', ctx).retryable).toBe(true);
  });

  it('without a status are network errors (or a stop)', () => {
    expect(fromSdkError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:10000'), { code: 'ECONNREFUSED' }), 'stat', 'k', ctx).code).toBe('Network');
    expect(fromSdkError(Object.assign(new Error('aborted'), { name: 'AbortError' }), 'stat', 'k', ctx).code).toBe('Aborted');
  });

  it('never carry a SAS signature or an account key, in the message, the cause or toJSON()', () => {
    const sdk = restError(
      403,
      'AuthenticationFailed',
      'Server failed to authenticate https://a.blob.core.windows.net/c/k?sv=2025-11-05&se=2026-01-01T00%3A00%3A00Z&sr=b&sp=r&sig=SECRETSIG%3D AccountKey=SECRETKEY==',
    );
    const e = fromSdkError(sdk, 'stat', 'k', ctx);
    const everything = JSON.stringify(e.toJSON()) + e.message + String((e.cause as Error).message);
    expect(everything).not.toContain('SECRETSIG');
    expect(everything).not.toContain('SECRETKEY');
    const n = fromSdkError(new Error('socket hang up at https://a/c/k?sp=r&sig=SECRETSIG2'), 'stat', 'k', ctx);
    expect(n.message + JSON.stringify(n.toJSON())).not.toContain('SECRETSIG2');
    expect(n.message).toContain('sig=<redacted>');
  });
});
