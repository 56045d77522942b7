import { join } from 'node:path';
import { z } from 'zod';
import { type Role, Roles } from '../common/roles';
import { type Env, httpUrl, nonEmpty, read } from './env';
import { ensureLocalSecret } from './publish-once';

/**
 * Who signs people in: the embedded OpenID provider (emulator mode's default, demo people) or the organisation's own
 * (OFFBOARD_IDP=external, live mode's only choice), and the OIDC settings the API checks tokens and maps roles with.
 */

export interface IdpSettings {
  mode: 'embedded' | 'external';
  port: number;
}

export interface OidcSettings {
  issuer: string;
  /** The `aud` the API's access tokens must carry. */
  audience: string;
  cliClientId: string;
  webClientId: string;
  /** The console's client secret; without it browser sign-in is off (external IdP only: embedded makes one). */
  webClientSecret?: string;
  groupsClaim: string;
  ramUserClaim: string;
  /** Our role → the IdP group names that grant it. */
  roleGroups: Record<Role, string[]>;
}

export const DEFAULT_AUDIENCE = 'offboarding-api';
export const DEFAULT_CLI_CLIENT_ID = 'offboard-cli';
export const DEFAULT_WEB_CLIENT_ID = 'offboard-console';

/** OFFBOARD_IDP: the embedded provider (emulator mode's default) or the organisation's own (live mode's only one). */
export function readIdp(env: Env, live: boolean, problems: string[]) {
  const mode = read(
    env,
    'OFFBOARD_IDP',
    z
      .enum(['embedded', 'external'], { error: 'must be "embedded" or "external"' })
      .default(live ? 'external' : 'embedded')
      .refine((m) => !(live && m === 'embedded'), {
        error: 'must be "external" in live mode: the embedded identity provider has demo people with demo passwords',
      }),
    problems,
  );
  const port = read(
    env,
    'OFFBOARD_IDP_PORT',
    z.coerce
      .number({ error: 'must be a port number' })
      .int('must be a port number')
      .min(1, 'must be a port from 1 to 65535')
      .max(65535, 'must be a port from 1 to 65535')
      .default(8089),
    problems,
  );
  return mode === undefined || port === undefined ? undefined : { mode, port };
}

export function readOidc(
  env: Env,
  idp: IdpSettings | undefined,
  live: boolean,
  dataDir: string,
  problems: string[],
): OidcSettings | undefined {
  const embedded = idp?.mode === 'embedded';
  const issuerRule = embedded
    ? z.undefined({ error: 'must be unset with the embedded identity provider (OFFBOARD_IDP=embedded)' })
    : z
        .string({ error: "is required with OFFBOARD_IDP=external: the identity provider's issuer URL" })
        .pipe(httpUrl('the issuer of the identity provider'))
        .refine((u) => !live || u.startsWith('https:'), { error: 'must be an https URL in live mode' });
  const given = read<string | undefined>(env, 'OFFBOARD_OIDC_ISSUER', issuerRule, problems);
  const clientId = (name: string, dflt: string) =>
    read(
      env,
      name,
      z
        .string()
        .regex(/^[\x21-\x7e]{1,200}$/, 'must be 1-200 printable characters without spaces')
        .default(dflt),
      problems,
    );
  const claimName = (name: string, dflt: string) =>
    read(
      env,
      name,
      z
        .string()
        .regex(/^[A-Za-z0-9_.:/-]{1,200}$/, 'must be a claim name (letters, digits, "_", ".", ":", "/", "-")')
        .default(dflt),
      problems,
    );
  const audience = read(
    env,
    'OFFBOARD_OIDC_AUDIENCE',
    nonEmpty('must be the API audience').default(DEFAULT_AUDIENCE),
    problems,
  );
  const cliClientId = clientId('OFFBOARD_OIDC_CLI_CLIENT_ID', DEFAULT_CLI_CLIENT_ID);
  const webClientId = clientId('OFFBOARD_OIDC_WEB_CLIENT_ID', DEFAULT_WEB_CLIENT_ID);
  const secretRule = z.string().min(16, 'must be at least 16 characters');
  const givenSecret = read(
    env,
    'OFFBOARD_OIDC_WEB_CLIENT_SECRET',
    embedded
      ? z.undefined({ error: 'must be unset with the embedded identity provider: it makes its own' })
      : secretRule.optional(),
    problems,
    false,
  );
  const groupsClaim = claimName('OFFBOARD_OIDC_GROUPS_CLAIM', 'groups');
  const ramUserClaim = claimName('OFFBOARD_OIDC_RAM_USER_CLAIM', 'preferred_username');
  const roleGroups = read(env, 'OFFBOARD_ROLE_GROUPS', roleGroupsRule, problems);
  if (!idp || audience === undefined || !cliClientId || !webClientId || !groupsClaim || !ramUserClaim || !roleGroups) {
    return undefined;
  }
  if (!embedded && given === undefined) return undefined;
  return {
    issuer: embedded ? embeddedIssuer(idp.port) : (given as string).replace(/\/+$/, ''),
    audience,
    cliClientId,
    webClientId,
    webClientSecret: embedded ? embeddedConsoleSecret(dataDir) : givenSecret,
    groupsClaim,
    ramUserClaim,
    roleGroups,
  };
}

/** The embedded provider's issuer: its own port on loopback. */
export function embeddedIssuer(port: number): string {
  return `http://127.0.0.1:${port}`;
}

/** The console's client secret at the embedded provider: made once per installation, kept 0600. */
function embeddedConsoleSecret(dataDir: string): string {
  return ensureLocalSecret(join(dataDir, 'idp', 'console-client-secret'), 32).toString('base64url');
}

/** `hr=HR-Team,People;admin=cloud-admins`: each of our roles and the IdP groups that grant it. */
const roleGroupsRule = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const mapping = Object.fromEntries(Roles.map((r) => [r, value === undefined ? [r] : []])) as Record<Role, string[]>;
    if (value === undefined) return mapping;
    for (const part of value
      .split(';')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const m = /^([a-z]+)\s*=\s*(.+)$/.exec(part);
      if (!m || !(Roles as readonly string[]).includes(m[1])) {
        ctx.addIssue({
          code: 'custom',
          message: `must be "role=group[,group…]" entries separated by ";", each role one of ${Roles.join(', ')} (e.g. "admin=cloud-admins;hr=HR")`,
        });
        return z.NEVER;
      }
      mapping[m[1] as Role].push(
        ...m[2]
          .split(',')
          .map((g) => g.trim())
          .filter(Boolean),
      );
    }
    return mapping;
  });
