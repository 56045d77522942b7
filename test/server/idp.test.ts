/**
 * The embedded identity provider, used as people use it: the device flow (the CLI) with refresh, the console's
 * code flow through the API's /login and /callback to a sealed session cookie, and sign-out; its pages (labels on
 * every input, no script); the per-installation passwords; and its refusal to run in live mode.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { freePort, repoRoot } from '../../scripts/local-temporal';
import { FormBrowser, signInToConsole, signInWithDeviceFlow } from '../../server/idp/headless-sign-in';
import { demoPeople, ensureDemoPasswords } from '../../server/idp/people';
import { startApiServer, type ApiServer } from './api-server';

let api: ApiServer;
beforeAll(async () => {
  api = await startApiServer({ TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` });
});
afterAll(() => api?.stop());

const me = (headers: Record<string, string>) => api.call('GET', '/v1/me', { headers });

test('the device flow signs a person in; the refresh token gets a new access token the API accepts', async () => {
  const tokens = await signInWithDeviceFlow({
    issuer: api.issuer,
    clientId: 'offboard-cli',
    who: { username: 'olivia', password: api.passwords().olivia },
  });
  expect(tokens.refresh_token).toBeDefined();
  const config = await oidc.discovery(new URL(api.issuer), 'offboard-cli', undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
  expect(refreshed.access_token).not.toBe(tokens.access_token);
  const res = await me({ authorization: `Bearer ${refreshed.access_token}` });
  expect(res.body).toMatchObject({ subject: 'olivia', roles: ['oncall'] });
});

test('a wrong password is refused at the sign-in page', async () => {
  await expect(
    signInWithDeviceFlow({
      issuer: api.issuer,
      clientId: 'offboard-cli',
      who: { username: 'carol', password: 'guess' },
    }),
  ).rejects.toThrow(/sign-in as carol refused: Unknown user name or wrong password/);
});

test('the console sign-in: a sealed, HttpOnly, SameSite=Lax session cookie; sign-out ends it', async () => {
  const browser = await signInToConsole({ apiUrl: api.url, who: { username: 'dave', password: api.passwords().dave } });
  expect(browser.url?.pathname).toBe('/v1/me');
  const sessionCookie = browser.cookies.received.find((c) => c.startsWith('offboard_session='));
  expect(sessionCookie).toMatch(/; HttpOnly/i);
  expect(sessionCookie).toMatch(/; SameSite=Lax/i);
  expect(sessionCookie).not.toMatch(/; Secure/i); // plain http on loopback; Secure when OFFBOARD_API_URL is https
  expect(sessionCookie).not.toMatch(/eyJ/); // sealed: no token readable in it
  const cookie = browser.cookies.header(new URL(api.url));
  expect((await me({ cookie })).body).toMatchObject({ subject: 'dave', roles: ['admin'] });

  // A page of another site posting the sign-out form (CSRF) is refused, and the session stays.
  const forgedHeaders: Array<Record<string, string>> = [
    { 'sec-fetch-site': 'cross-site' },
    { origin: 'https://elsewhere.example' },
  ];
  for (const headers of forgedHeaders) {
    const forged = await fetch(new URL('/logout', api.url), {
      method: 'POST',
      headers: { ...headers, cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'signout=yes',
      redirect: 'manual',
    });
    expect({ headers, status: forged.status, cleared: forged.headers.get('set-cookie') }).toEqual({
      headers,
      status: 403,
      cleared: null,
    });
  }
  expect((await me({ cookie })).body).toMatchObject({ subject: 'dave' });

  // As a sign-out button would: a form post.
  const page = await browser.request(new URL('/logout', api.url), { method: 'POST', form: { signout: 'yes' } });
  const signedOut = /Signed out/.test(page) ? page : await browser.submit(page, /name="logout"/);
  expect(signedOut).toMatch(/Signed out/);
  expect((await me({ cookie: browser.cookies.header(new URL(api.url)) })).status).toBe(401);
});

test('the pages: a label for every input, no script, a strict Content-Security-Policy', async () => {
  const browser = new FormBrowser();
  const login = await browser.request(new URL('/login', api.url));
  const device = await new FormBrowser().request(new URL('/device', api.issuer));
  for (const page of [login, device]) {
    expect(page).not.toMatch(/<script|\son[a-z]+=/i);
    const inputs = [...page.matchAll(/<input\b[^>]*>/g)].map((m) => m[0]).filter((i) => !/type="hidden"/.test(i));
    expect(inputs.length).toBeGreaterThan(0);
    for (const input of inputs) {
      const id = /id="([^"]+)"/.exec(input)?.[1];
      expect(page).toContain(`<label for="${id}">`);
    }
  }
  const res = await fetch(new URL('/device', api.issuer));
  expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
});

test('passwords are made once per installation, kept 0600, and reused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idp-passwords-'));
  const first = ensureDemoPasswords(dir);
  expect(Object.keys(first).sort()).toEqual(demoPeople.map((p) => p.username).sort());
  expect(ensureDemoPasswords(dir)).toEqual(first);
  expect(statSync(join(dir, 'idp-users.json')).mode & 0o777).toBe(0o600);
  expect(statSync(join(api.dataDir, 'idp-users.json')).mode & 0o777).toBe(0o600);
});

test('the embedded provider refuses live mode', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'server', 'main.ts')], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      OFFBOARD_ALIBABA_MODE: 'live',
      OFFBOARD_IDP: 'embedded',
      OFFBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'idp-live-')),
    },
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/OFFBOARD_IDP: must be "external" in live mode/);
});
