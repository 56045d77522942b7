/**
 * The Temporal UI as the on-call console, seen in a real browser: a Blocked run's page says what it waits for and
 * what to do, and the stuck-run filter of the workflow list finds it. The screenshots are kept in test-artifacts/.
 * Run data is encrypted: on-call (olivia) signs in, and the UI decodes through the codec endpoint.
 */
import { OffboardingStage } from '../../common/stages';
import { screenshotPath, temporalUiUrl, waitForText } from '../support/browser';
import { signInBrowser, useCodecEndpoint } from '../support/codec-endpoint';
import { people } from '../support/trust';
import { offboardInput, setWorkerClusterAccess, startOffboard, waitForStage } from '../workflows/harness';
import { useUi } from './use-ui';

const { h, ui } = useUi('ui-console');

test('a Blocked run shows on-call, in the UI, since when it is blocked, why, and the command that resumes it', async () => {
  await setWorkerClusterAccess(h.emulator, false);
  const { handle, workflowId } = await startOffboard(h, offboardInput(h, 'alice'));
  const blocked = await waitForStage(handle, OffboardingStage.Blocked, 30_000, 'blocked');
  const namespace = process.env.TEMPORAL_NAMESPACE || 'default';

  const context = await ui.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await useCodecEndpoint(context, ui.codec);
  const page = await context.newPage();
  try {
    await signInBrowser(page, ui.codec, people.olivia);
    // The run's page, "User Metadata" tab: static summary and details, and the live current details.
    await page.goto(`${temporalUiUrl()}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}`);
    await page.getByText('User Metadata', { exact: true }).click();
    const shown = await waitForText(page, /Blocked since \d\d:\d\d UTC/, 20_000, 'FAILED-ui-console');
    await page.screenshot({ path: screenshotPath('blocked-run-user-metadata'), fullPage: true });

    expect(shown).toContain('Current Details');
    // Which step, which Alibaba operation, which error code: what on-call needs to find the missing permission.
    expect(shown).toMatch(/Blocked since \d\d:\d\d UTC: inventory: [A-Za-z]+ denied \(StatusForbidden\)/);
    expect(shown).toContain(`offboard retry ${workflowId}`);
    expect(shown).not.toContain('--as');
    expect(shown).toContain('alice'); // the static summary names the target
    expect(blocked.details.startsWith('Blocked since')).toBe(true);

    // The list view filtered on the stage, as on-call would look for stuck runs.
    const query = `OffboardingStage="Blocked" AND OffboardingAccount="${h.accountId}"`;
    await page.goto(`${temporalUiUrl()}/namespaces/${namespace}/workflows?query=${encodeURIComponent(query)}`);
    await waitForText(page, new RegExp(workflowId.replace(/\//g, '\\/')), 20_000, 'FAILED-ui-console');
    await page.screenshot({ path: screenshotPath('blocked-runs-list'), fullPage: true });
  } finally {
    await context.close();
    await handle.terminate('test finished');
  }
});
