/**
 * The codec endpoint (server/codec-routes.ts) on a real Fastify server on loopback, with the production codec over
 * the tests' payload key, behind a minimal stand-in for the API server's authentication: `GET /test-sign-in?as=NAME`
 * signs one of the demo people in (a session cookie, as a browser keeps it) and a session id also works as a bearer
 * token. Until the API server exists, this is how the tests sign in; the codec routes do not know the difference.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { type BrowserContext, type Page } from 'playwright-core';
import { readPayloadKeysFile } from '../../config/payload-keys';
import { codecRoutes, type Problem } from '../../server/codec-routes';
import { type Person } from '../../server/signer';
import { TEST_PAYLOAD_KEYS_PATH, testNamespace } from './temporal';
import { people } from './trust';

const SESSION_COOKIE = 'offboard_test_session';

export interface TestCodecEndpoint {
  app: FastifyInstance;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** What the Temporal UI is configured with: `${url}/codec`. */
  codecUrl: string;
  /** The HTTP status of every answer of the codec routes, in order: what the UI's calls got. */
  statuses: number[];
  /** A session for `person`, as the sign-in route makes one; usable as a bearer token. */
  signIn(person: Person): string;
  close(): Promise<void>;
}

function sessionOf(request: FastifyRequest): string | undefined {
  const bearer = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
  if (bearer) return bearer;
  const cookies = (request.headers.cookie ?? '').split(/;\s*/).map((c) => c.split('='));
  return cookies.find(([name]) => name === SESSION_COOKIE)?.[1];
}

export async function startTestCodecEndpoint(options: { uiOrigin?: string } = {}): Promise<TestCodecEndpoint> {
  const sessions = new Map<string, Person>();
  const signIn = (person: Person) => {
    const id = randomUUID();
    sessions.set(id, person);
    return id;
  };
  const authenticate = async (request: FastifyRequest): Promise<Person | Problem> =>
    sessions.get(sessionOf(request) ?? '') ?? {
      title: 'Unauthorized',
      status: 401,
      detail: 'sign in first (no session, or an expired one)',
    };

  const app = Fastify();
  const statuses: number[] = [];
  app.addHook('onResponse', async (request, reply) => {
    if (request.url.startsWith('/codec/')) statuses.push(reply.statusCode);
  });
  app.get<{ Querystring: { as: string } }>('/test-sign-in', async (request, reply) => {
    const person = Object.values(people).find((p) => p.subject === request.query.as);
    if (!person) return reply.code(404).send(`no demo person ${request.query.as}`);
    const session = signIn(person);
    reply.header('Set-Cookie', `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Lax`);
    return `signed in as ${person.name}`;
  });
  await app.register(codecRoutes, {
    prefix: '/codec',
    payloadKeys: readPayloadKeysFile(TEST_PAYLOAD_KEYS_PATH),
    namespace: testNamespace(),
    uiOrigin: options.uiOrigin,
    authenticate,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url, codecUrl: `${url}/codec`, statuses, signIn, close: () => app.close() };
}

/**
 * Points the Temporal UI of this browser context at the endpoint, as a person sets it in the UI's codec settings
 * (the dev server's UI has no codec configured): the UI's own settings, kept in its local storage. Cookies go with
 * the UI's calls (`includeCredentials`), so a session made by `signInBrowser` authenticates them.
 */
export async function useCodecEndpoint(context: BrowserContext, endpoint: TestCodecEndpoint): Promise<void> {
  const settings = { endpoint: JSON.stringify(endpoint.codecUrl), includeCredentials: 'true' };
  await context.addInitScript({
    content: Object.entries(settings)
      .map(([name, value]) => `localStorage.setItem(${JSON.stringify(name)}, ${JSON.stringify(value)});`)
      .join('\n'),
  });
}

/** Signs `person` in, in this page's browser context (a session cookie for the endpoint's host). */
export async function signInBrowser(page: Page, endpoint: TestCodecEndpoint, person: Person): Promise<void> {
  const res = await page.goto(`${endpoint.url}/test-sign-in?as=${encodeURIComponent(person.subject)}`);
  if (!res?.ok()) throw new Error(`signing in as ${person.subject} failed: ${res?.status()}`);
}
