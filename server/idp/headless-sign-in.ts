/**
 * Signing a person in without a browser, as the person would with one: the device flow (`offboard login`) and the
 * code flow (the console's `/login`) driven over plain HTTP — the provider's real pages and forms, a cookie jar,
 * redirects followed by hand. For `npm start` (it signs hr-jane in to start the demo run) and the tests; the protocol
 * side is openid-client, as in the CLI and the API.
 */
import * as oidc from 'openid-client';

export interface Credentials {
  username: string;
  password: string;
}

/** Cookies per host:port, enough for a provider and an API on loopback. */
class CookieJar {
  private readonly jars = new Map<string, Map<string, string>>();
  /** Every Set-Cookie line received, for tests that check a cookie's attributes. */
  readonly received: string[] = [];

  header(url: URL): string {
    return [...(this.jars.get(url.host) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  store(url: URL, response: Response): void {
    const jar = this.jars.get(url.host) ?? new Map<string, string>();
    this.jars.set(url.host, jar);
    for (const line of response.headers.getSetCookie()) {
      this.received.push(line);
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  }
}

/** A small browser: GET and form POSTs, redirects followed, cookies kept. */
export class FormBrowser {
  readonly cookies = new CookieJar();
  url?: URL;

  async request(url: URL, init: { method?: string; form?: Record<string, string> } = {}): Promise<string> {
    let method = init.method ?? 'GET';
    let body: string | undefined = init.form ? new URLSearchParams(init.form).toString() : undefined;
    for (let hops = 0; hops < 20; hops++) {
      const res = await fetch(url, {
        method,
        body,
        redirect: 'manual',
        headers: {
          cookie: this.cookies.header(url),
          ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          accept: 'text/html',
        },
      });
      this.cookies.store(url, res);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        url = new URL(location, url);
        method = 'GET';
        body = undefined;
        await res.arrayBuffer();
        continue;
      }
      this.url = url;
      const text = await res.text();
      if (res.status >= 400 && !/<form/i.test(text))
        throw new Error(`${method} ${url.pathname}: ${res.status} ${text.slice(0, 300)}`);
      return text;
    }
    throw new Error('too many redirects');
  }

  /** Submits the form of `page` that contains `marker`, with its hidden fields and `fields`. */
  submit(page: string, marker: RegExp, fields: Record<string, string> = {}): Promise<string> {
    const form = [...page.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)].map((m) => m[0]).find((f) => marker.test(f));
    if (!form) throw new Error(`no form with ${marker} on ${this.url?.href}: ${page.slice(0, 400)}`);
    const action = /action="([^"]*)"/.exec(form)?.[1] ?? this.url!.href;
    const hidden = Object.fromEntries(
      [...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], decodeHtml(m[2])]),
    );
    return this.request(new URL(decodeHtml(action), this.url), { method: 'POST', form: { ...hidden, ...fields } });
  }
}

function decodeHtml(s: string): string {
  return s.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');
}

/** The provider's sign-in page, filled in; fails with the page's own message when the password is refused. */
async function logIn(browser: FormBrowser, page: string, who: Credentials): Promise<string> {
  const next = await browser.submit(page, /name="password"/, { username: who.username, password: who.password });
  if (/name="password"/.test(next)) {
    throw new Error(`sign-in as ${who.username} refused: ${/role="alert">([^<]*)/.exec(next)?.[1] ?? 'see the page'}`);
  }
  return next;
}

function insecureFor(issuer: string): oidc.DiscoveryRequestOptions {
  return new URL(issuer).protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {};
}

/**
 * The device authorization grant, as `offboard login` does it: the CLI asks for a code, the person opens the
 * verification page, enters the code, signs in and confirms; the CLI's poll then gets the tokens.
 */
export async function signInWithDeviceFlow(p: {
  issuer: string;
  clientId: string;
  who: Credentials;
  scope?: string;
}): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers> {
  const config = await oidc.discovery(new URL(p.issuer), p.clientId, undefined, oidc.None(), insecureFor(p.issuer));
  const device = await oidc.initiateDeviceAuthorization(config, { scope: p.scope ?? 'openid profile offline_access' });
  await confirmDeviceCode({ verificationUri: device.verification_uri, userCode: device.user_code, who: p.who });
  // The person has confirmed already: the first poll gets the tokens, so it need not wait the usual interval first.
  return oidc.pollDeviceAuthorizationGrant(config, { ...device, interval: 0 });
}

/**
 * The person's half of the device flow: open the verification page that a device (`offboard login`) printed, enter
 * its code, sign in and confirm. The device's poll then gets the tokens.
 */
export async function confirmDeviceCode(p: { verificationUri: string; userCode: string; who: Credentials }) {
  const browser = new FormBrowser();
  let page = await browser.request(new URL(p.verificationUri));
  page = await browser.submit(page, /name="user_code"/, { user_code: p.userCode });
  if (/name="password"/.test(page)) page = await logIn(browser, page, p.who);
  if (/name="confirm"/.test(page)) page = await browser.submit(page, /name="confirm"/);
  if (/name="password"/.test(page)) page = await logIn(browser, page, p.who);
  if (!/Signed in/.test(page)) throw new Error(`the device sign-in did not finish: ${page.slice(0, 400)}`);
}

/**
 * The console's sign-in (authorization code + PKCE, run by the API): `/login` on the API, the provider's sign-in
 * page, back to the API's `/callback`. Returns the browser, whose cookie jar now holds the API's session cookie.
 */
export async function signInToConsole(p: {
  apiUrl: string;
  who: Credentials;
  returnTo?: string;
}): Promise<FormBrowser> {
  const browser = new FormBrowser();
  const start = new URL('/login', p.apiUrl);
  if (p.returnTo) start.searchParams.set('returnTo', p.returnTo);
  const page = await browser.request(start);
  await logIn(browser, page, p.who);
  return browser;
}
