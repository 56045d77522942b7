/**
 * The Temporal UI as the on-call console, seen in a real browser: a Blocked run's page says what it waits for and
 * what to do, and the stuck-run filter of the workflow list finds it. The screenshots are kept in test-artifacts/.
 */
import { type Browser, type Page } from 'playwright-core';
import { OffboardingStage } from '../../common/stages';
import { launchBrowser, screenshotPath } from '../support/browser';
import { offboardInput, setWorkerClusterAccess, startOffboard, waitForStage } from '../workflows/harness';
import { useHarness } from '../workflows/use-harness';

let browser: Browser;

// Declared first, so that the browser closes before the harness stops.
afterAll(async () => {
  await browser?.close();
});
const h = useHarness('ui-console');
beforeAll(async () => {
  browser = await launchBrowser();
});

/**
 * The text of the page and of its frames (the UI renders user metadata markdown in sandboxed iframes), once it
 * matches; a screenshot is kept when it never does.
 */
async function waitForText(page: Page, pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    const parts = await Promise.all(page.frames().map((frame) => frame.innerText('body').catch(() => '')));
    text = parts.join('\n');
    if (pattern.test(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await page.screenshot({ path: screenshotPath('FAILED-ui-console'), fullPage: true });
  throw new Error(`The page never showed ${pattern}; it showed:\n${text}`);
}

function uiUrl(): string {
  const url = process.env.TEMPORAL_UI_URL;
  if (!url) throw new Error('TEMPORAL_UI_URL is not set: the global setup starts the dev server with its UI.');
  return url;
}

test('a Blocked run shows on-call, in the UI, since when it is blocked, why, and the command that resumes it', async () => {
  await setWorkerClusterAccess(h.emulator, false);
  const { handle, workflowId } = await startOffboard(h, offboardInput(h, 'alice'));
  const blocked = await waitForStage(handle, OffboardingStage.Blocked, 30_000, 'blocked');
  const namespace = process.env.TEMPORAL_NAMESPACE || 'default';

  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  try {
    // The run's page, "User Metadata" tab: static summary and details, and the live current details.
    await page.goto(`${uiUrl()}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}`);
    await page.getByText('User Metadata', { exact: true }).click();
    const shown = await waitForText(page, /Blocked since \d\d:\d\d UTC/, 20_000);
    await page.screenshot({ path: screenshotPath('blocked-run-user-metadata'), fullPage: true });

    expect(shown).toContain('Current Details');
    // Which step, which Alibaba operation, which error code: what on-call needs to find the missing permission.
    expect(shown).toMatch(/Blocked since \d\d:\d\d UTC: inventory: [A-Za-z]+ denied \(StatusForbidden\)/);
    expect(shown).toContain(`offboard retry ${workflowId} --as ADMIN`);
    expect(shown).toContain('alice'); // the static summary names the target
    expect(blocked.details.startsWith('Blocked since')).toBe(true);

    // The list view filtered on the stage, as on-call would look for stuck runs.
    const query = `OffboardingStage="Blocked" AND OffboardingAccount="${h.accountId}"`;
    await page.goto(`${uiUrl()}/namespaces/${namespace}/workflows?query=${encodeURIComponent(query)}`);
    await waitForText(page, new RegExp(workflowId.replace(/\//g, '\\/')), 20_000);
    await page.screenshot({ path: screenshotPath('blocked-runs-list'), fullPage: true });
  } finally {
    await page.close();
    await handle.terminate('test finished');
  }
});
