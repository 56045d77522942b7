/**
 * The embedded identity provider: a real OpenID provider (`oidc-provider`, a certified implementation) in this
 * process, on loopback, for `npm start` and the tests — never for production (it refuses live mode).
 *
 * oidc-provider is pinned to 8.8.1: the last line whose runtime check accepts Node 20 (9.x warns "Unsupported
 * runtime" on Node 20, and this project supports Node ≥ 20.3).
 *
 * Clients: `offboard-cli` (public; device authorization grant; refresh tokens) and `offboard-console` (confidential;
 * authorization code + PKCE). Access tokens are JWTs for the API's resource, carrying `groups`, `name` and
 * `preferred_username`. Both clients are first-party: no consent screen is shown.
 */
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import Provider, { type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider';
import { interactionHandler } from './interactions';
import { ensureIdpSecrets } from './keys';
import { memoryAdapterFactory } from './memory-store';
import {
  deviceConfirmPage,
  deviceInputPage,
  deviceSuccessPage,
  errorPage,
  formParts,
  logoutPage,
  PAGE_CSP,
  signedOutPage,
} from './pages';
import { demoPeople, ensureDemoPasswords } from './people';

/** The resource indicator of the API (RFC 8707 wants an absolute URI); its tokens' audience is the configured one. */
export const API_RESOURCE = 'urn:acs-offboarding:api';
const ACCESS_TOKEN_SECONDS = 10 * 60;

export interface EmbeddedIdpOptions {
  mode: 'emulator' | 'live';
  port: number;
  dataDir: string;
  audience: string;
  cliClientId: string;
  webClientId: string;
  webClientSecret: string;
  /** The API's public URL: the console's redirect URIs are under it. */
  apiUrl: string;
}

export interface EmbeddedIdp {
  issuer: string;
  close(): Promise<void>;
}

function html(ctx: KoaContextWithOIDC, body: string): void {
  ctx.type = 'html';
  ctx.set('content-security-policy', PAGE_CSP);
  ctx.body = body;
}

function configuration(o: EmbeddedIdpOptions): Configuration {
  const secrets = ensureIdpSecrets(o.dataDir);
  const people = new Map(demoPeople.map((p) => [p.username, p]));
  const claimsOf = (sub: string) => {
    const p = people.get(sub);
    return p && { name: p.name, preferred_username: p.username, groups: [...p.groups] };
  };
  return {
    adapter: memoryAdapterFactory(),
    jwks: secrets.jwks as Configuration['jwks'],
    cookies: { keys: secrets.cookieKeys },
    clients: [
      {
        client_id: o.cliClientId,
        client_name: 'offboard CLI',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
        response_types: [],
        redirect_uris: [],
      },
      {
        client_id: o.webClientId,
        client_name: 'offboarding console',
        client_secret: o.webClientSecret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [`${o.apiUrl}/callback`],
        post_logout_redirect_uris: [`${o.apiUrl}/signed-out`],
      },
    ],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], groups: ['groups'] },
    scopes: ['openid', 'offline_access', 'profile', 'groups', 'api'],
    async findAccount(_ctx, sub) {
      const claims = claimsOf(sub);
      return claims && { accountId: sub, claims: async () => ({ sub, ...claims }) };
    },
    extraTokenClaims: async (_ctx, token) =>
      'accountId' in token && token.accountId ? claimsOf(token.accountId) : undefined,
    // Both clients may refresh (the CLI stays signed in; the console refreshes its session's access token).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // First-party clients: the grant is made at sign-in, so no consent screen is ever shown.
    async loadExistingGrant(ctx) {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid profile groups offline_access');
      grant.addResourceScope(API_RESOURCE, 'api');
      await grant.save();
      return grant;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { methods: ['S256'], required: () => true },
    ttl: {
      AccessToken: ACCESS_TOKEN_SECONDS,
      AuthorizationCode: 60,
      DeviceCode: 10 * 60,
      IdToken: ACCESS_TOKEN_SECONDS,
      Interaction: 10 * 60,
      Session: 12 * 60 * 60,
      Grant: 14 * 24 * 60 * 60,
      RefreshToken: 14 * 24 * 60 * 60,
    },
    clientBasedCORS: () => false,
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      deviceFlow: {
        enabled: true,
        userCodeInputSource: (ctx, form, _out, err) =>
          html(
            ctx,
            deviceInputPage({
              ...formParts(form),
              error: err ? 'That code is not valid (any more). Check it and try again.' : undefined,
            }),
          ),
        userCodeConfirmSource: (ctx, form, client, _info, userCode) =>
          html(
            ctx,
            deviceConfirmPage({ ...formParts(form), userCode, clientName: client.clientName ?? client.clientId }),
          ),
        successSource: (ctx) => html(ctx, deviceSuccessPage(ctx.oidc.client?.clientName ?? 'The device')),
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== API_RESOURCE) throw new errors.InvalidTarget();
          return {
            scope: 'api',
            audience: o.audience,
            accessTokenTTL: ACCESS_TOKEN_SECONDS,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => html(ctx, logoutPage(formParts(form))),
        postLogoutSuccessSource: (ctx) => html(ctx, signedOutPage()),
      },
    },
    renderError: (ctx, out) => html(ctx, errorPage(out as unknown as Record<string, unknown>)),
  };
}

/** Starts the provider on 127.0.0.1:`port` (0: a free one); its issuer is `http://127.0.0.1:<port>`. */
export async function startEmbeddedIdp(o: EmbeddedIdpOptions): Promise<EmbeddedIdp> {
  if (o.mode === 'live') {
    throw new Error('the embedded identity provider refuses to start in live mode: set OFFBOARD_IDP=external');
  }
  const passwords = ensureDemoPasswords(o.dataDir);
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, configuration(o));
  const providerCallback = provider.callback();
  const interactions = interactionHandler(provider, passwords);
  server.on('request', (req, res) => {
    if (req.url?.startsWith('/interaction/')) void interactions(req, res);
    else providerCallback(req, res);
  });
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
