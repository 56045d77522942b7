import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import * as oidc from 'openid-client';
import { type OidcSettings } from '../../config/oidc';
import { Problem, ProblemType } from '../problems';

/**
 * The identity provider as the API sees it: its discovery document (read on first use, again after a failure), its
 * signing keys for verifying access tokens (jose's remote JWKS, refreshed when an unknown key id appears), and the
 * console's client at it for the browser sign-in (openid-client).
 */
export class Issuer {
  private discovering?: Promise<{ configuration: oidc.Configuration; jwks: JWTVerifyGetKey }>;

  constructor(readonly settings: OidcSettings) {}

  /** Plain http only for an issuer on this machine (the embedded provider); anything else must be https. */
  private get insecureAllowed(): boolean {
    const url = new URL(this.settings.issuer);
    return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  }

  private discover() {
    this.discovering ??= oidc
      .discovery(
        new URL(this.settings.issuer),
        this.settings.webClientId,
        this.settings.webClientSecret,
        undefined,
        this.insecureAllowed ? { execute: [oidc.allowInsecureRequests], timeout: 5 } : { timeout: 5 },
      )
      .then((configuration) => {
        const jwksUri = configuration.serverMetadata().jwks_uri;
        if (!jwksUri) throw new Error('the discovery document has no jwks_uri');
        return { configuration, jwks: createRemoteJWKSet(new URL(jwksUri)) };
      });
    return this.discovering.catch((err: unknown) => {
      this.discovering = undefined;
      throw new Problem(
        503,
        ProblemType.IdpUnavailable,
        `cannot read the identity provider's discovery document at ${this.settings.issuer}: ${(err as Error).message}`,
      );
    });
  }

  async configuration(): Promise<oidc.Configuration> {
    return (await this.discover()).configuration;
  }

  async jwks(): Promise<JWTVerifyGetKey> {
    return (await this.discover()).jwks;
  }
}
