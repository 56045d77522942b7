/**
 * Headless Chromium for tests that look at pages as a person would, driven by playwright-core (playwright's own
 * browser download cannot work on these machines). The browser comes from the npm package @sparticuz/chromium, which
 * ships it inside its registry tarball, so `npm ci` is all the set-up; CHROMIUM_PATH names another Chromium instead.
 * Screenshots go to test-artifacts/.
 *
 * @sparticuz/chromium is pinned to 143.0.4: the newest release whose declared engines (node >=20.11) include our
 * Node 20; 147 and later declare Node >=22.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from '../../scripts/local-temporal';

export const artifactsDir = join(repoRoot, 'test-artifacts');

/**
 * What this machine needs whatever the Chromium: no sandbox (tests run as root), and no calls home (Chromium keeps
 * dialling Google's hosts, which this network refuses). Playwright gives every launch a fresh user-data dir of its
 * own and removes it on close (it refuses a --user-data-dir argument).
 */
const machineArgs = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The browser to launch: CHROMIUM_PATH, or the package's headless shell (inflated into the temp dir once). */
async function chromiumExecutable(): Promise<{ path: string; args: string[] }> {
  if (process.env.CHROMIUM_PATH) return { path: process.env.CHROMIUM_PATH, args: machineArgs };
  return { path: await sparticuz.executablePath(), args: [...sparticuz.args, ...machineArgs] };
}

/** The package's flags that switch the same-origin policy and CORS off: a test of cross-origin calls drops them. */
const webSecurityOff = new Set(['--disable-web-security', '--allow-running-insecure-content']);

/** `webSecurity`: the same-origin policy and CORS enforced, as in people's browsers (the package turns them off). */
export async function launchBrowser(options: { webSecurity?: boolean } = {}): Promise<Browser> {
  const executable = await chromiumExecutable();
  const { path } = executable;
  const args = options.webSecurity ? executable.args.filter((arg) => !webSecurityOff.has(arg)) : executable.args;
  try {
    return await chromium.launch({ executablePath: path, args });
  } catch (error) {
    // A run killed while inflating the package's browser leaves a partial file that is never inflated again.
    throw new Error(
      `Chromium at ${path} did not start (if it is @sparticuz/chromium's, delete it to inflate it again): ${String(error)}`,
      { cause: error },
    );
  }
}

export function screenshotPath(name: string): string {
  mkdirSync(artifactsDir, { recursive: true });
  return join(artifactsDir, `${name}.png`);
}

/** The dev server's UI, which the jest global setup starts with the server. */
export function temporalUiUrl(): string {
  const url = process.env.TEMPORAL_UI_URL;
  if (!url) throw new Error('TEMPORAL_UI_URL is not set: the global setup starts the dev server with its UI.');
  return url;
}

/**
 * The text of the page and of its frames (the UI renders user metadata markdown in sandboxed iframes), once it
 * matches; a screenshot `failureShot` is kept when it never does.
 */
export async function waitForText(
  page: Page,
  pattern: RegExp,
  timeoutMs: number,
  failureShot: string,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    const parts = await Promise.all(page.frames().map((frame) => frame.innerText('body').catch(() => '')));
    text = parts.join('\n');
    if (pattern.test(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await page.screenshot({ path: screenshotPath(failureShot), fullPage: true });
  throw new Error(`The page never showed ${pattern}; it showed:\n${text}`);
}
