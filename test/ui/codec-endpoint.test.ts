/**
 * The Temporal UI shows a run's data only to people who signed in and hold one of our roles: it asks our codec
 * endpoint to decode, from the browser, with the person's session (CORS for the UI's origin, credentials included,
 * the same-origin policy enforced as in people's browsers). Signed out, or signed in without a role, the page shows
 * the ciphertext; signed in as on-call, the run's input with its comment and ticket.
 */
import { OffboardingStage } from '../../common/stages';
import { screenshotPath, temporalUiUrl, waitForText } from '../support/browser';
import { signInBrowser, useCodecEndpoint } from '../support/codec-endpoint';
import { testNamespace } from '../support/temporal';
import { people } from '../support/trust';
import { offboardInput, startOffboard, terminateIfRunning, waitForStage } from '../workflows/harness';
import { useUi } from './use-ui';

const { h, ui } = useUi('ui-codec', { webSecurity: true });

/** The input card as the UI shows a payload it could not decode: the encrypted payload's metadata, base64. */
const ciphertextShown = /"encoding": "YmluYXJ5L2VuY3J5cHRlZA=="/;

test('the UI shows decoded run data after sign-in with a role, and ciphertext to anyone else', async () => {
  const comment = 'moving to the competitor; keep quiet until Friday';
  const ticket = `HR-${Date.now()}`;
  const { handle, workflowId } = await startOffboard(
    h,
    offboardInput(h, 'alice', { comment, ticket, approvalReminderEvery: '10m', approvalExpiresAfter: '1h' }),
  );
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  const runPage = `${temporalUiUrl()}/namespaces/${testNamespace()}/workflows/${encodeURIComponent(workflowId)}`;

  const context = await ui.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await useCodecEndpoint(context, ui.codec);
  const page = await context.newPage();
  try {
    // Signed out: the endpoint answers 401, and the UI has nothing but ciphertext to show.
    await page.goto(runPage);
    let shown = await waitForText(page, ciphertextShown, 20_000, 'FAILED-ui-codec-signed-out');
    expect(shown).not.toContain(comment);
    expect(shown).not.toContain(ticket);
    expect(ui.codec.statuses).toContain(401);
    await page.screenshot({ path: screenshotPath('codec-signed-out'), fullPage: true });

    // Signed in without a role (bob): 403, still ciphertext.
    await signInBrowser(page, ui.codec, people.bob);
    await page.goto(runPage);
    shown = await waitForText(page, ciphertextShown, 20_000, 'FAILED-ui-codec-no-role');
    expect(shown).not.toContain(comment);
    expect(ui.codec.statuses).toContain(403);

    // Signed in as on-call: the input, decoded.
    await signInBrowser(page, ui.codec, people.olivia);
    await page.goto(runPage);
    shown = await waitForText(page, new RegExp(ticket), 20_000, 'FAILED-ui-codec-signed-in');
    expect(shown).toContain(comment);
    expect(shown).toContain('"requestedByName": "Jane (HR)"');
    expect(shown).not.toMatch(ciphertextShown);
    await page.screenshot({ path: screenshotPath('codec-signed-in'), fullPage: true });
  } finally {
    await context.close();
    await terminateIfRunning(h.client, workflowId);
  }
}, 120_000);
