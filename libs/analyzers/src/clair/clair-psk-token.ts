import { createHmac } from 'node:crypto';

/** Lifetime of a minted token; Clair checks `exp` with 15 s leeway. */
const TOKEN_LIFETIME_S = 300;
/** Mint a new token when the cached one has less than this left. */
const RENEW_BEFORE_S = 60;

/**
 * `Authorization: Bearer <JWT>` for Clair's PSK auth (CONTRACTS.md §2.2): HS256 over the
 * base64-decoded key, with an explicit `iss` (Clair rejects an issuer it was not configured with).
 * A token is reused until a minute before it expires.
 */
export class ClairPskToken {
  private readonly key: Buffer;
  private cached?: { readonly header: string; readonly expiresAt: number };

  constructor(
    psk: string,
    private readonly issuer: string,
    private readonly now: () => number = Date.now,
  ) {
    this.key = Buffer.from(psk, 'base64');
  }

  authorization(): string {
    const nowS = Math.floor(this.now() / 1000);
    if (this.cached && this.cached.expiresAt - RENEW_BEFORE_S > nowS) return this.cached.header;
    const expiresAt = nowS + TOKEN_LIFETIME_S;
    const header = `Bearer ${signHs256({ iss: this.issuer, iat: nowS, nbf: nowS, exp: expiresAt }, this.key)}`;
    this.cached = { header, expiresAt };
    return header;
  }
}

export function signHs256(claims: Readonly<Record<string, unknown>>, key: Buffer): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  const signature = createHmac('sha256', key).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}
