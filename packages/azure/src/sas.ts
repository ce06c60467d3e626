/**
 * Blob SAS issuing: one blob, least permissions, short expiry.
 * https://learn.microsoft.com/en-us/rest/api/storageservices/create-service-sas
 * https://learn.microsoft.com/en-us/rest/api/storageservices/create-user-delegation-sas
 *
 * No start time (`st`) is set: the SAS is valid from the moment it is issued,
 * so a client clock running ahead of the store's cannot make a fresh URL
 * "not yet valid".
 */
import {
  BlobSASPermissions,
  SASProtocol,
  generateBlobSASQueryParameters,
  type BlobServiceClient,
  type UserDelegationKey,
} from '@azure/storage-blob';
import { MAX_USER_DELEGATION_SECONDS, type SigningCredential } from './options.js';

/**
 * The service version we sign SAS URLs with and send as `x-ms-version`: a GA
 * version that Azure serves and that Azurite 3.35.0 knows (its newest), so it
 * works even without `--skipApiVersionCheck`.
 * https://learn.microsoft.com/en-us/rest/api/storageservices/versioning-for-the-azure-storage-services
 */
export const STORAGE_VERSION = '2025-11-05';

/** The longest user delegation key we ask for: Azure's 7 days, less 5 minutes for clock skew. */
const KEY_LIFETIME_CAP_MS = MAX_USER_DELEGATION_SECONDS * 1000 - 5 * 60_000;

/** Permissions as SAS letters: 'r' read, 'c' create, 'w' write. */
export type SasPermissions = 'r' | 'cw';

export interface SasRequest {
  container: string;
  blob: string;
  permissions: SasPermissions;
  expiresIn: number;
}

export class SasIssuer {
  private key: UserDelegationKey | undefined;
  private keyPromise: Promise<UserDelegationKey> | undefined;

  constructor(
    private readonly signing: SigningCredential,
    private readonly accountName: string,
    private readonly serviceClient: BlobServiceClient,
    private readonly https: boolean,
    /** Clock, for tests. */
    private readonly now: () => number = Date.now,
  ) {}

  /** The SAS query string (no leading '?') for one blob. */
  async issue(request: SasRequest): Promise<string> {
    const now = this.now();
    let expiresOn = new Date(now + request.expiresIn * 1000);
    if (this.signing.kind === 'token') {
      // A user delegation SAS cannot outlive its key, and Azure caps keys at 7 days from its
      // own clock: stay a few minutes inside that so a client clock running ahead is no problem.
      expiresOn = new Date(Math.min(expiresOn.getTime(), now + KEY_LIFETIME_CAP_MS));
    }
    const values = {
      containerName: request.container,
      blobName: request.blob,
      permissions: BlobSASPermissions.parse(request.permissions),
      expiresOn,
      version: STORAGE_VERSION,
      // Real accounts are https: a SAS that also allows http would let a URL
      // be replayed in clear text. Azurite on loopback is http.
      protocol: this.https ? SASProtocol.Https : SASProtocol.HttpsAndHttp,
    };
    if (this.signing.kind === 'sharedKey') {
      return generateBlobSASQueryParameters(values, this.signing.credential).toString();
    }
    const key = await this.delegationKey(expiresOn);
    return generateBlobSASQueryParameters(values, key, this.accountName).toString();
  }

  /**
   * A user delegation key valid until at least `until`. One key serves many
   * SAS URLs; a new one is requested only when the cached one would expire
   * first. https://learn.microsoft.com/en-us/rest/api/storageservices/get-user-delegation-key
   */
  private async delegationKey(until: Date): Promise<UserDelegationKey> {
    const now = this.now();
    // Azure keeps whole seconds, as the SAS `se=` does.
    const needed = Math.floor(until.getTime() / 1000) * 1000;
    const fits = (k: UserDelegationKey | undefined): k is UserDelegationKey => k !== undefined && k.signedExpiresOn.getTime() >= needed;
    if (fits(this.key)) return this.key;
    if (this.keyPromise) {
      const pending = await this.keyPromise;
      if (fits(pending)) return pending;
    }
    // Ask for a key that covers this SAS and the next hour's, within Azure's 7-day cap;
    // start 5 minutes back so a skewed clock does not make it "not yet valid".
    const expires = Math.min(Math.max(until.getTime(), now + 3600_000), now + KEY_LIFETIME_CAP_MS);
    this.keyPromise = this.serviceClient
      .getUserDelegationKey(new Date(now - 5 * 60_000), new Date(expires))
      .then((k) => {
        this.key = k;
        return k;
      })
      .finally(() => {
        this.keyPromise = undefined;
      });
    return this.keyPromise;
  }
}
