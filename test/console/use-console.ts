/**
 * What the console's browser tests share: the workflow harness (Temporal dev server, emulator, worker), the API
 * server process with its embedded identity provider pointed at them, and a real Chromium. People sign in as they
 * would: the console sends them to the provider's sign-in page, they type their name and password, and come back.
 * Each page is checked with axe-core (no serious or critical violation) and the browser's console is watched for
 * Content-Security-Policy refusals (the console's own script and styles must load under its policy).
 */
import { readFileSync } from 'node:fs';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchBrowser, screenshotPath } from '../support/browser';
import { harnessEnv, type PersonName, startApiServer, type ApiServer } from '../server/api-server';
import { type Harness } from '../workflows/harness';
import { useHarness } from '../workflows/use-harness';

export interface ConsoleTest {
  h: Harness;
  /** Set in beforeAll. */
  c: { api: ApiServer; browser: Browser; context: BrowserContext; page: Page };
}

export function useConsole(prefix: string, env: (h: Harness) => Record<string, string> = () => ({})): ConsoleTest {
  const c = {} as ConsoleTest['c'];
  // Declared before the harness: jest runs afterAll hooks in declaration order.
  afterAll(async () => {
    await c.browser?.close();
    await c.api?.stop();
  });
  const h = useHarness(prefix);
  beforeAll(async () => {
    c.api = await startApiServer({ ...harnessEnv(h), ...env(h) });
    c.browser = await launchBrowser({ webSecurity: true });
    // One context for the file: the packaged headless Chromium runs single-process, and a page cannot be opened
    // after a context closes. People take turns in it: each sign-in starts from an empty cookie jar.
    c.context = await c.browser.newContext({ viewport: { width: 1280, height: 900 } });
    c.page = await c.context.newPage();
    c.page.on('console', (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) cspErrors.push(m.text());
    });
  }, 120_000);
  return { h, c };
}

export interface PersonPage {
  page: Page;
  /** Content-Security-Policy refusals the browser reported since this person signed in. */
  cspErrors: string[];
}

let cspErrors: string[] = [];

/** `person` signed in through the console's sign-in and the provider's page, in the file's browser. */
export async function signIn(c: ConsoleTest['c'], person: PersonName, path = '/console'): Promise<PersonPage> {
  await c.context.clearCookies();
  const { page } = c;
  cspErrors = [];
  await page.goto(`${c.api.url}${path}`);
  // Not signed in: the console sent the browser to the provider's sign-in page.
  await page.getByLabel('User name').fill(person);
  await page.getByLabel('Password').fill(c.api.passwords()[person]);
  await Promise.all([
    page.waitForURL((url) => url.href.startsWith(`${c.api.url}/console`)),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  return { page, cspErrors };
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/**
 * axe-core on the page as it is now, WCAG 2 A/AA and best practices: the serious and critical violations (none is
 * expected). axe is evaluated through the DevTools protocol, which the page's CSP does not govern (no inline script
 * is added to the page).
 */
export async function axeViolations(
  page: Page,
): Promise<Array<Pick<AxeViolation, 'id' | 'help'> & { nodes: string[] }>> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    // In the page: axe as the evaluated source left it (DOM types are not in this project's compilation).
    const inPage = globalThis as unknown as {
      axe: { run(context: unknown, options: object): Promise<{ violations: AxeViolation[] }> };
      document: unknown;
    };
    const result = await inPage.axe.run(inPage.document, {
      runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
    });
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
}

/** Checks the page with axe, then keeps a full-page screenshot under test-artifacts/. */
export async function checkPage(p: PersonPage, name: string): Promise<void> {
  await p.page.screenshot({ path: screenshotPath(`console-${name}`), fullPage: true });
  expect({ page: name, violations: await axeViolations(p.page) }).toEqual({ page: name, violations: [] });
  expect({ page: name, cspErrors: p.cspErrors }).toEqual({ page: name, cspErrors: [] });
}

/** The text of the run page's stage badge once it reads `stage` (the page follows the run by itself). */
export async function waitForStageOnPage(page: Page, stage: RegExp, timeoutMs = 60_000): Promise<string> {
  await page.locator('#stage').filter({ hasText: stage }).waitFor({ timeout: timeoutMs });
  return page.locator('#stage').innerText();
}
