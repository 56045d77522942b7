import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError, ExitCode, signInHint } from './errors';

/**
 * The signed-in person's session: what `offboard login` got from the identity provider (access and refresh token),
 * kept in `session.json` under the user's config dir, readable by the user only (file 0600, directory 0700). Every
 * command that calls the API takes its bearer token from here, renewed with the refresh token once it has expired;
 * or from OFFBOARD_TOKEN (an access token in the environment, for scripts and CI), which wins when set.
 */

export interface Session {
  /** The API this session is for: its token is sent nowhere else. */
  apiUrl: string;
  issuer: string;
  clientId: string;
  accessToken: string;
  refreshToken?: string;
  /** When the access token expires (ISO-8601). */
  expiresAt: string;
  /** Who signed in, as the API saw them at sign-in. */
  subject: string;
  name: string;
  roles: string[];
  signedInAt: string;
}

/** A bearer token and where it came from (for the hint when the API refuses it). */
export interface Bearer {
  token: string;
  source: 'OFFBOARD_TOKEN' | 'session';
  session?: Session;
}

/** A token that expires within this margin is renewed first: the call must not arrive with a dead token. */
const EXPIRY_MARGIN_MS = 30_000;
const LOCK_WAIT_MS = 15_000;
/** A lock older than this was left by a CLI that died while renewing. */
const STALE_LOCK_MS = 60_000;

/** `${OFFBOARD_CONFIG_DIR:-${XDG_CONFIG_HOME:-~/.config}/acs-offboarding}` (a relative XDG_CONFIG_HOME is ignored). */
export function configDir(env: NodeJS.ProcessEnv): string {
  if (env.OFFBOARD_CONFIG_DIR) return resolve(env.OFFBOARD_CONFIG_DIR);
  const xdg = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : undefined;
  return join(xdg ?? join(env.HOME || homedir(), '.config'), 'acs-offboarding');
}

export function sessionPath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), 'session.json');
}

function isSession(v: unknown): v is Session {
  const s = v as Partial<Session> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    [s.apiUrl, s.issuer, s.clientId, s.accessToken, s.expiresAt, s.subject, s.name].every(
      (f) => typeof f === 'string',
    ) &&
    (s.refreshToken === undefined || typeof s.refreshToken === 'string') &&
    Array.isArray(s.roles)
  );
}

/**
 * The stored session, if any. A file that others may read is refused (its tokens may have leaked), unless the caller
 * is about to end it anyway (`logout`).
 */
export function readSession(env: NodeJS.ProcessEnv, options: { evenIfExposed?: boolean } = {}): Session | undefined {
  const path = sessionPath(env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(ExitCode.Unexpected, `cannot read ${path}: ${(err as Error).message}`, 'SessionUnreadable');
  }
  const mode = statSync(path).mode & 0o777;
  if (!options.evenIfExposed && process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new CliError(
      ExitCode.Refused,
      `${path} may be read by others (mode ${mode.toString(8).padStart(4, '0')}): its tokens may have leaked`,
      'SessionExposed',
      'End that session and start a new one: offboard logout, then offboard login',
    );
  }
  let session: unknown;
  try {
    session = JSON.parse(text);
  } catch {
    session = undefined;
  }
  if (!isSession(session)) {
    throw new CliError(ExitCode.Refused, `${path} is not a session of this CLI`, 'Unauthenticated', signInHint);
  }
  return session;
}

/** Writes the session readable by the user only: a new file (0600) renamed into place, in a directory of 0700. */
export function writeSession(env: NodeJS.ProcessEnv, session: Session): string {
  const path = sessionPath(env);
  mkdirSync(configDir(env), { recursive: true, mode: 0o700 });
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600, flag: 'w' });
  renameSync(partial, path);
  return path;
}

export function removeSession(env: NodeJS.ProcessEnv): void {
  rmSync(sessionPath(env), { force: true });
}

/** Runs `fn` while no other CLI renews the same session (a refresh token may be used once only). */
async function withSessionLock<T>(env: NodeJS.ProcessEnv, fn: () => Promise<T>): Promise<T> {
  const lock = `${sessionPath(env)}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx', 0o600));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS) rmSync(lock, { force: true });
      else if (Date.now() > deadline) {
        throw new CliError(ExitCode.Unexpected, `another offboard has been renewing the session for 15 s (${lock})`);
      }
      await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

function expired(session: Session, now: number): boolean {
  return Date.parse(session.expiresAt) - EXPIRY_MARGIN_MS <= now;
}

/** The claims of a JWT, read without verifying it: only to show who a token speaks for (the API verifies it). */
function unverifiedClaims(token: string): Record<string, unknown> {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
    return payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** "Carol (carol)": the person a bearer token speaks for, as far as the token says. */
export function personOf(bearer: Bearer): string {
  if (bearer.source === 'session' && bearer.session) return `${bearer.session.name} (${bearer.session.subject})`;
  const claims = unverifiedClaims(bearer.token);
  const name = [claims.name, claims.preferred_username].find((n) => typeof n === 'string' && n.length > 0);
  const sub = typeof claims.sub === 'string' ? claims.sub : undefined;
  return name && sub ? `${String(name)} (${sub})` : (sub ?? 'the holder of OFFBOARD_TOKEN');
}

/**
 * The bearer token for a call to `apiUrl`: OFFBOARD_TOKEN when set, else the session's access token, renewed first
 * when it has expired. Without a usable one the command stops with exit 4 and says how to sign in.
 */
export async function bearerFor(env: NodeJS.ProcessEnv, apiUrl: string): Promise<Bearer> {
  if (env.OFFBOARD_TOKEN) return { token: env.OFFBOARD_TOKEN.trim(), source: 'OFFBOARD_TOKEN' };
  const session = readSession(env);
  if (!session) {
    throw new CliError(
      ExitCode.Refused,
      `not signed in to the offboarding API at ${apiUrl} (no session in ${sessionPath(env)})`,
      'Unauthenticated',
      signInHint,
    );
  }
  if (session.apiUrl !== apiUrl) {
    throw new CliError(
      ExitCode.Refused,
      `signed in to ${session.apiUrl}, not to ${apiUrl} (OFFBOARD_API_URL): the token is sent only where it was made for`,
      'Unauthenticated',
      `${signInHint} (with OFFBOARD_API_URL=${apiUrl})`,
    );
  }
  if (!expired(session, Date.now())) return { token: session.accessToken, source: 'session', session };
  if (!session.refreshToken) {
    throw new CliError(
      ExitCode.Refused,
      `your session at ${apiUrl} expired at ${session.expiresAt}`,
      'Unauthenticated',
      signInHint,
    );
  }
  const renewed = await withSessionLock(env, async () => {
    // Another offboard may have renewed it while this one waited for the lock.
    const current = readSession(env);
    if (current && current.apiUrl === apiUrl && !expired(current, Date.now())) return current;
    // Loaded only now: openid-client is needed to sign in and to renew, not for every call.
    const { refreshSession } = await import('./sign-in');
    const fresh = await refreshSession(current ?? session);
    writeSession(env, fresh);
    return fresh;
  });
  return { token: renewed.accessToken, source: 'session', session: renewed };
}
