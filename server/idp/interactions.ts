import { timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { loginPage, PAGE_CSP } from './pages';

/**
 * The provider's interactions: the sign-in page (user name and password of a demo person) and, should the provider
 * ever ask, consent — granted at once, the clients being first-party.
 */

const MAX_FORM_BYTES = 8 * 1024;

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > MAX_FORM_BYTES) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': PAGE_CSP });
  res.end(body);
}

export function interactionHandler(provider: Provider, passwords: Record<string, string>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const details = await provider.interactionDetails(req, res);
      const action = `/interaction/${details.uid}`;
      const clientId = String(details.params.client_id ?? '');
      const client = await provider.Client.find(clientId);
      const clientName = client?.clientName ?? clientId;
      if (details.prompt.name === 'consent') {
        await provider.interactionFinished(req, res, { consent: {} }, { mergeWithLastSubmission: true });
        return;
      }
      if (req.method === 'GET') return send(res, 200, loginPage({ action, clientName }));
      if (req.method !== 'POST') return send(res, 405, loginPage({ action, clientName, error: 'Use the form.' }));
      const form = await readForm(req);
      const username = form.get('username') ?? '';
      const password = form.get('password') ?? '';
      const expected = Object.hasOwn(passwords, username) ? passwords[username] : undefined;
      if (expected === undefined || !sameSecret(password, expected)) {
        return send(
          res,
          401,
          loginPage({ action, clientName, username, error: 'Unknown user name or wrong password.' }),
        );
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: username } },
        { mergeWithLastSubmission: false },
      );
    } catch (err) {
      send(
        res,
        400,
        `<!doctype html><title>Sign-in failed</title><p>The sign-in could not go on: ${String((err as Error).message).replace(/[<>&"']/g, '')}. Start again from your application.</p>`,
      );
    }
  };
}
