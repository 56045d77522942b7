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
import { chromium, type Browser } from 'playwright-core';
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

export async function launchBrowser(): Promise<Browser> {
  const { path, args } = await chromiumExecutable();
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
