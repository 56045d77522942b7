import * as oidc from 'openid-client';
import { type Api } from './api';
import { isLoopback } from './api-url';
import { CliError, ExitCode, signInHint } from './errors';
import { type Session } from './session';

/**
 * Signing in, renewing and ending a session at the identity provider, with openid-client: the device authorization
 * grant (the person confirms in a browser, on any device, while the CLI waits), the refresh token grant, and token
 * revocation. The CLI knows only the API's URL; the API names the provider and the CLI's client id there. No
 * `resource` is sent: the provider issues the API's tokens for its one resource by itself. Loaded only by `login`,
 * `logout` and a renewal, never on the path of an ordinary call.
 */

const SCOPE = 'openid profile offline_access';

interface SignInPoint {
  issuer: string;
  cliClientId: string;
}

interface Me {
  subject: string;
  name: string;
  roles: string[];
  ramUser?: string;
}

/** What an openid-client call threw, as a CliError: the provider's refusal (4), or the provider not answering (5). */
function providerError(issuer: string, what: string, err: unknown, hint?: string): CliError {
  if (err instanceof oidc.ResponseBodyError) {
    const why = err.error_description ? `${err.error}: ${err.error_description}` : err.error;
    return new CliError(ExitCode.Refused, `${what}: the identity provider said ${why}`, 'Unauthenticated', hint);
  }
  const causes: string[] = [];
  for (let e: unknown = err; e instanceof Error; e = e.cause) causes.push(e.message);
  return new CliError(
    ExitCode.Unreachable,
    `${what}: cannot use the identity provider at ${issuer}: ${causes.join(': ')}`,
    'IdpUnreachable',
  );
}

/** The provider's configuration for the CLI's public client; plain http only for a provider on this machine. */
async function configurationOf(issuer: string, clientId: string): Promise<oidc.Configuration> {
  const url = new URL(issuer);
  const loopback = url.protocol === 'http:' && isLoopback(url);
  if (url.protocol !== 'https:' && !loopback) {
    throw new CliError(
      ExitCode.Refused,
      `the identity provider ${issuer} is not https: the CLI signs in only over https (plain http only on this machine)`,
      'InsecureIdp',
    );
  }
  try {
    return await oidc.discovery(url, clientId, undefined, oidc.None(), {
      execute: loopback ? [oidc.allowInsecureRequests] : [],
      timeout: 10,
    });
  } catch (err) {
    throw providerError(issuer, 'reading its discovery document', err);
  }
}

/**
 * `offboard login`: the device authorization grant. Asks the API where to sign in, shows the person the page and
 * the code (`tell`), waits until they have signed in there, and checks the new token with the API (`GET /v1/me`)
 * before anything is kept: a token the API refuses is never stored.
 */
export async function signInWithDevice(api: Api, tell: (lines: string[]) => void): Promise<Session> {
  const point = await api.get<SignInPoint>('/v1/sign-in', { auth: false });
  const config = await configurationOf(point.issuer, point.cliClientId);
  let device: oidc.DeviceAuthorizationResponse;
  try {
    device = await oidc.initiateDeviceAuthorization(config, { scope: SCOPE });
  } catch (err) {
    throw providerError(point.issuer, 'asking for a sign-in code', err);
  }
  const minutes = Math.round(device.expires_in / 60);
  tell([
    'To sign in, open this page in a browser (on any device):',
    `    ${device.verification_uri}`,
    `and enter the code  ${device.user_code}`,
    ...(device.verification_uri_complete ? [`(or open ${device.verification_uri_complete}, which has the code)`] : []),
    `Waiting for you to sign in there (the code expires in ${minutes} min; Ctrl-C cancels) ...`,
  ]);
  let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  try {
    tokens = await oidc.pollDeviceAuthorizationGrant(config, device);
  } catch (err) {
    throw providerError(point.issuer, 'signing in', err, 'Run offboard login again and confirm the code in time.');
  }
  const me = await api.get<Me>('/v1/me', { token: tokens.access_token });
  return {
    apiUrl: api.url,
    issuer: point.issuer,
    clientId: point.cliClientId,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    expiresAt: expiresAt(tokens),
    subject: me.subject,
    name: me.name,
    roles: me.roles,
    signedInAt: new Date().toISOString(),
  };
}

function expiresAt(tokens: oidc.TokenEndpointResponseHelpers): string {
  // A provider that does not say how long a token lives: renew it after five minutes.
  return new Date(Date.now() + (tokens.expiresIn() ?? 300) * 1000).toISOString();
}

/** A new access token for the session, with its refresh token (which the provider may rotate). */
export async function refreshSession(session: Session): Promise<Session> {
  const config = await configurationOf(session.issuer, session.clientId);
  let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  try {
    tokens = await oidc.refreshTokenGrant(config, session.refreshToken ?? '');
  } catch (err) {
    throw providerError(session.issuer, 'renewing your session', err, signInHint);
  }
  return {
    ...session,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? session.refreshToken,
    expiresAt: expiresAt(tokens),
  };
}

/**
 * Ends the session at the provider: revokes its refresh token (the provider then refuses to renew it, and ends the
 * grant behind it). Returns false when the provider has no revocation endpoint.
 */
export async function revokeSession(session: Session): Promise<boolean> {
  if (!session.refreshToken) return false;
  const config = await configurationOf(session.issuer, session.clientId);
  if (!config.serverMetadata().revocation_endpoint) return false;
  try {
    await oidc.tokenRevocation(config, session.refreshToken, { token_type_hint: 'refresh_token' });
  } catch (err) {
    throw providerError(session.issuer, 'revoking your session', err);
  }
  return true;
}
