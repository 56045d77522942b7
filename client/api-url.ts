import { badInput } from './errors';

/**
 * Where the offboarding API is: OFFBOARD_API_URL, checked before the CLI sends anything there (its calls carry the
 * person's access token): an http(s) URL without credentials, query or fragment, and https unless on this machine.
 */

export const DEFAULT_API_URL = 'http://127.0.0.1:8088';

/** Plain http is allowed only to this machine (the API's URL, and the identity provider the API names). */
export function isLoopback(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

export function apiUrlOf(env: NodeJS.ProcessEnv): string {
  const raw = env.OFFBOARD_API_URL?.trim() || DEFAULT_API_URL;
  const rule = 'must be the http(s) URL of the offboarding API, e.g. https://offboarding.example.com';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badInput(`OFFBOARD_API_URL ${JSON.stringify(raw)}: ${rule}`);
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password || url.search || url.hash) {
    throw badInput(`OFFBOARD_API_URL ${JSON.stringify(raw)}: ${rule} (no user, query or fragment)`);
  }
  if (url.protocol === 'http:' && !isLoopback(url)) {
    throw badInput(
      `OFFBOARD_API_URL ${JSON.stringify(raw)}: must be an https URL; plain http only to this machine ` +
        '(127.0.0.1, localhost, [::1]), because the CLI sends your access token with every call',
    );
  }
  return url.href.replace(/\/+$/, '');
}
