import { errors as joseErrors, type JWTPayload, jwtVerify } from 'jose';
import { Roles } from '../../common/roles';
import { isValidActor } from '../../common/validation';
import { type OidcSettings } from '../../config/oidc';
import { Problem, unauthenticated } from '../problems';
import { type Person } from '../signer';
import { type Issuer } from './issuer';

/**
 * Verifies an access token from the identity provider (signature against the issuer's keys, issuer, audience,
 * expiry) and makes the Person the API signs for: the stable subject, a display name, our roles mapped from the
 * groups claim, and the RAM user name when the provider knows it.
 */
export async function verifyAccessToken(issuer: Issuer, token: string): Promise<Person> {
  const settings = issuer.settings;
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, await issuer.jwks(), {
      issuer: settings.issuer,
      audience: settings.audience,
      algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'],
      requiredClaims: ['sub', 'exp'],
    }));
  } catch (err) {
    if (err instanceof Problem) throw err;
    throw unauthenticated(whyRefused(err, settings));
  }
  return personOf(payload, settings);
}

function whyRefused(err: unknown, settings: OidcSettings): string {
  if (err instanceof joseErrors.JWTExpired) return 'the access token has expired: sign in again';
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return `the access token was not issued by ${settings.issuer}`;
    if (err.claim === 'aud') return `the access token is not for this API (audience ${settings.audience})`;
    return `the access token's ${err.claim} claim is not acceptable: ${err.reason}`;
  }
  if (err instanceof joseErrors.JWKSNoMatchingKey || err instanceof joseErrors.JWSSignatureVerificationFailed) {
    return `the access token is not signed by ${settings.issuer}`;
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed)
    return 'the access token is signed with an algorithm the API refuses';
  return 'the access token is not a well-formed JWT';
}

function stringsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

export function personOf(claims: JWTPayload, settings: OidcSettings): Person {
  const subject = claims.sub as string;
  if (!isValidActor(subject)) {
    throw unauthenticated(
      'the access token subject is not usable: it must be 1-255 characters without spaces or quotes',
    );
  }
  const groups = stringsOf(claims[settings.groupsClaim]);
  const roles = Roles.filter((role) => settings.roleGroups[role].some((g) => groups.includes(g)));
  const ramUser = claims[settings.ramUserClaim];
  const name = [claims.name, claims.preferred_username].find((n) => typeof n === 'string' && n.length > 0);
  return {
    subject,
    name: (name as string | undefined) ?? subject,
    roles: [...roles],
    ...(typeof ramUser === 'string' && ramUser.length > 0 ? { ramUser } : {}),
  };
}
