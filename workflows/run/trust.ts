import { type TokenClaims, type TrustedKey } from '../../common/signed-token';

/**
 * What the run trusts: the API's public keys and issuer (loaded from the worker's configuration at start, never from
 * a message), the authenticated requester, and the ids of the tokens it already accepted (a token is single-use).
 */
export class RunTrust {
  keys: readonly TrustedKey[] = [];
  issuer = '';
  /** The requester's subject, from the verified request token. */
  requesterSubject = '';
  /** jti → exp (seconds): kept until the token could no longer be used anyway, so the list stays short. */
  private readonly used = new Map<string, number>();

  load(keys: readonly TrustedKey[], issuer: string): void {
    this.keys = keys;
    this.issuer = issuer;
  }

  seen(jti: string): boolean {
    return this.used.has(jti);
  }

  /** Marks a token as used, and forgets those that expired (workflow time). */
  use(claims: TokenClaims, nowMs: number): void {
    const now = Math.floor(nowMs / 1000);
    for (const [jti, exp] of this.used) if (exp < now) this.used.delete(jti);
    this.used.set(claims.jti, claims.exp);
  }
}
