import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { Roles, type Role } from '../common/roles';
import { readAlibabaSettings } from './alibaba';
import { type TimingBounds } from '../common/timing';
import { publishOnce } from './publish-once';
import { readTimingBounds } from './worker';
import { ConfigError, dataDirOf, type Env, hostPort, nonEmpty, read, existingFile } from './env';
import { type HrIntakeConfig, readHrIntake } from './hr-intake';
import { readTemporalConfig, type TemporalConfig } from './temporal';
import { DEFAULT_TOKEN_ISSUER, type Ed25519Jwk, ensureLocalKeys, readJwks } from './trust-keys';

/**
 * The offboarding API's whole configuration from the environment (`npm run server`), validated at start with one
 * message per bad variable naming it and its rule. Secrets (signing keys, the console's client secret, the session
 * key) are read here and never printed: `describeServerConfig` names only where they come from.
 */

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

export interface ServerConfig {
  listen: { host: string; port: number };
  /** Where people and the IdP reach the API (redirects, cookies' Secure flag). */
  publicUrl: string;
  mode: 'emulator' | 'live';
  /** The account whose runs `--user/--role` lookups and starts address. */
  accountId: string;
  workerIdentity: string;
  temporal: TemporalConfig;
  /** Private signing keys, newest first, and where they came from. */
  signing: { keys: Ed25519Jwk[]; keysPath: string; issuer: string };
  idp: { mode: 'embedded' | 'external'; port: number };
  oidc: OidcSettings;
  /** Origin of the Temporal UI, allowed by CORS on the codec routes. */
  temporalUiOrigin?: string;
  /** Where the console links a run into the Temporal UI (`<url>/namespaces/<ns>/workflows/<id>`); none: no link. */
  temporalUiUrl?: string;
  /** HR systems that start offboardings by signed webhook. */
  hrIntake: HrIntakeConfig;
  /** The bounds on durations and dates of requests: the worker's (OFFBOARD_TIMING_BOUNDS), checked here first. */
  timing: TimingBounds;
  /** Serve https with this certificate and key (PEM paths); the Temporal UI sends people's tokens only over https. */
  tls?: { certPath: string; keyPath: string };
  bodyLimit: number;
  /** 32 bytes that seal the browser session cookie. */
  sessionKey: Buffer;
  sessionKeyPath: string;
  dataDir: string;
}

export const DEFAULT_AUDIENCE = 'offboarding-api';
export const DEFAULT_CLI_CLIENT_ID = 'offboard-cli';
export const DEFAULT_WEB_CLIENT_ID = 'offboard-console';
export const DEFAULT_BODY_LIMIT = 16 * 1024;

export function loadServerConfig(env: Env = process.env): ServerConfig {
  const problems: string[] = [];
  const dataDir = dataDirOf(env);
  const temporal = readTemporalConfig(env, problems);
  const alibaba = readAlibabaSettings(env, problems);
  const live = alibaba.mode === 'live';

  const listen = read(env, 'OFFBOARD_API_LISTEN', hostPort('API listener').default('127.0.0.1:8088'), problems);
  const [host, port] = listen ? splitHostPort(listen) : ['127.0.0.1', 8088];
  const publicUrl = read(
    env,
    'OFFBOARD_API_URL',
    httpUrl('the URL people reach the API at').default(`http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`),
    problems,
  );
  const signing = readSigning(env, live, dataDir, problems);
  const idp = readIdp(env, live, problems);
  const oidc = readOidc(env, idp, live, dataDir, problems);
  const temporalUiOrigin = read(
    env,
    'OFFBOARD_TEMPORAL_UI_ORIGIN',
    live
      ? httpUrl('the Temporal UI origin').optional()
      : httpUrl('the Temporal UI origin').default(`http://127.0.0.1:${env.TEMPORAL_UI_PORT || 8233}`),
    problems,
  );
  const bodyLimit = read(
    env,
    'OFFBOARD_API_BODY_LIMIT',
    z.coerce
      .number({ error: 'must be a number of bytes from 1024 to 1048576' })
      .int('must be a whole number of bytes')
      .min(1024, 'must be at least 1024 bytes')
      .max(1024 * 1024, 'must be at most 1048576 bytes (1 MiB)')
      .default(DEFAULT_BODY_LIMIT),
    problems,
  );
  const temporalUiUrl = read(
    env,
    'OFFBOARD_TEMPORAL_UI_URL',
    httpUrl("the Temporal UI, for the console's links to runs").optional(),
    problems,
  );
  const session = readSessionKey(env, dataDir, problems);
  const hrIntake = readHrIntake(env, dataDir, problems);
  const timing = readTimingBounds(env, live, problems);
  const certPath = read(env, 'OFFBOARD_API_TLS_CERT', existingFile('PEM certificate').optional(), problems);
  const keyPath = read(env, 'OFFBOARD_API_TLS_KEY', existingFile('PEM key').optional(), problems, false);
  if (Boolean(env.OFFBOARD_API_TLS_CERT) !== Boolean(env.OFFBOARD_API_TLS_KEY)) {
    problems.push('OFFBOARD_API_TLS_CERT and OFFBOARD_API_TLS_KEY: must be set together (https needs both)');
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    listen: { host, port },
    publicUrl: (publicUrl as string).replace(/\/+$/, ''),
    mode: alibaba.mode,
    accountId: alibaba.accountId,
    workerIdentity: alibaba.workerIdentity,
    temporal,
    signing: signing as ServerConfig['signing'],
    idp: idp as ServerConfig['idp'],
    oidc: oidc as OidcSettings,
    temporalUiOrigin: temporalUiOrigin?.replace(/\/+$/, ''),
    temporalUiUrl: (temporalUiUrl ?? temporalUiOrigin)?.replace(/\/+$/, ''),
    hrIntake: hrIntake as HrIntakeConfig,
    tls: certPath && keyPath ? { certPath, keyPath } : undefined,
    timing,
    bodyLimit: bodyLimit as number,
    sessionKey: (session as { key: Buffer }).key,
    sessionKeyPath: (session as { path: string }).path,
    dataDir,
  };
}

/** What the server prints at start: where things come from, never a secret. */
export function describeServerConfig(c: ServerConfig): string {
  return [
    `api ${c.publicUrl} (listening on ${c.listen.host}:${c.listen.port}) mode=${c.mode} account=${c.accountId}`,
    `temporal ${c.temporal.address} namespace=${c.temporal.namespace} taskQueue=${c.temporal.taskQueue}`,
    `signing keys=${c.signing.keys.map((k) => k.kid).join(',')} (${c.signing.keysPath}) issuer=${c.signing.issuer}`,
    `console ${c.publicUrl}/console temporal-ui=${c.temporalUiUrl ?? 'none'} hr-integrations=${c.hrIntake.integrations.map((i) => `${i.name}(${i.secrets.length} secret${i.secrets.length === 1 ? '' : 's'})`).join(',') || 'none'}`,
    `oidc issuer=${c.oidc.issuer} (${c.idp.mode}) audience=${c.oidc.audience} cli=${c.oidc.cliClientId} console=${c.oidc.webClientId}${c.oidc.webClientSecret ? '' : ' (browser sign-in off: no client secret)'} groups=${c.oidc.groupsClaim}`,
  ].join('\n');
}

function splitHostPort(value: string): [string, number] {
  const i = value.lastIndexOf(':');
  return [value.slice(0, i).replace(/^\[|\]$/g, ''), Number(value.slice(i + 1))];
}

const httpUrl = (what: string) =>
  z.url({ protocol: /^https?$/, error: `must be an http(s) URL: ${what}` }).refine((u) => !u.includes('#'), {
    error: `must be an http(s) URL without a fragment: ${what}`,
  });

/** OFFBOARD_SIGNING_KEYS (a JWKS with private keys) and OFFBOARD_TOKEN_ISSUER; emulator mode: the local keys. */
function readSigning(env: Env, live: boolean, dataDir: string, problems: string[]) {
  const issuer = read(
    env,
    'OFFBOARD_TOKEN_ISSUER',
    z
      .string()
      .regex(/^[A-Za-z0-9._:/-]{1,200}$/, 'must be 1-200 characters without spaces')
      .default(DEFAULT_TOKEN_ISSUER),
    problems,
  );
  const rule = z.string({ error: "is required in live mode: the JWKS file of the API's private signing keys" });
  const given = read(env, 'OFFBOARD_SIGNING_KEYS', live ? rule : rule.optional(), problems);
  if (issuer === undefined || (live && given === undefined)) return undefined;
  const keysPath = given ?? ensureLocalKeys(join(dataDir, 'keys')).signingKeysPath;
  try {
    return { keys: readJwks(keysPath, true), keysPath, issuer };
  } catch (err) {
    problems.push(`OFFBOARD_SIGNING_KEYS: ${(err as Error).message}`);
    return undefined;
  }
}

/** OFFBOARD_IDP: the embedded provider (emulator mode's default) or the organisation's own (live mode's only one). */
function readIdp(env: Env, live: boolean, problems: string[]) {
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

function readOidc(
  env: Env,
  idp: ServerConfig['idp'] | undefined,
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

/** OFFBOARD_SESSION_KEY (32 bytes, base64) seals the browser session; made once per installation when unset. */
function readSessionKey(env: Env, dataDir: string, problems: string[]) {
  const given = read(
    env,
    'OFFBOARD_SESSION_KEY',
    z
      .string()
      .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes in base64 (openssl rand -base64 32)')
      .optional(),
    problems,
    false,
  );
  if (given) return { key: Buffer.from(given, 'base64'), path: 'OFFBOARD_SESSION_KEY' };
  const path = join(dataDir, 'session.key');
  return { key: ensureLocalSecret(path, 32), path };
}

/** A random secret of `bytes` bytes kept in `path` (mode 0600): made on first use (atomically), the same one after. */
export function ensureLocalSecret(path: string, bytes: number): Buffer {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  if (!existsSync(path)) publishOnce(path, randomBytes(bytes).toString('base64'), 0o600);
  return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
}
