/**
 * What the console refuses, shown on the page, with nothing changed: a person without a role (bob) sees which role
 * is missing; a form posted without its CSRF token (or with another session's) is refused; a decision for a run in
 * another stage shows the run's own refusal; HR cannot approve. The error pages pass axe-core too.
 */
import { offboardWorkflowId } from '../../common/ids';
import { waitForRun } from '../server/api-server';
import { screenshotPath } from '../support/browser';
import { checkPage, signIn, useConsole } from './use-console';

const { h, c } = useConsole('console-refusals');
const runOf = (name: string) => offboardWorkflowId(h.accountId, { type: 'user', name });

beforeAll(async () => {
  const started = await c.api.call('POST', '/v1/offboardings', {
    as: 'hr-jane',
    body: { target: { type: 'user', name: 'alice' }, reason: 'departure' },
  });
  expect(started.status).toBe(201);
  await waitForRun(c.api, runOf('alice'), (s) => s.stage === 'AwaitingApproval', 'approval');
});

const stillWaiting = async () =>
  expect((await c.api.call('GET', `/v1/runs/${runOf('alice')}`, { as: 'olivia' })).body).toMatchObject({
    stage: 'AwaitingApproval',
    decisions: [],
  });

test('bob, who has no role, is told which role he lacks', async () => {
  const bob = await signIn(c, 'bob');
  await bob.page.getByRole('heading', { name: 'Missing role' }).waitFor();
  await bob.page.getByText(/does not have the role hr or admin or security or oncall/).waitFor();
  await checkPage(bob, 'no-role');
  const res = await bob.page.goto(`${c.api.url}/console/runs/${runOf('alice')}`);
  expect(res?.status()).toBe(403);
});

test('a form without its CSRF token, or a decision in the wrong stage, changes nothing and says why', async () => {
  const carol = await signIn(c, 'carol', `/console/runs/${runOf('alice')}`);
  const runUrl = `${c.api.url}/console/runs/${runOf('alice')}`;
  const token = await carol.page.locator('form[action$="/approve"] input[name="_csrf"]').inputValue();

  const noToken = await carol.page.request.post(`${runUrl}/approve`, { form: { comment: 'sneaky' } });
  expect(noToken.status()).toBe(403);
  expect(await noToken.text()).toContain('without a valid CSRF token');
  const forged = await carol.page.request.post(`${runUrl}/approve`, { form: { _csrf: `${token}x`, comment: 'x' } });
  expect(forged.status()).toBe(403);
  await stillWaiting();

  // retry is for Blocked runs: the run itself refuses it, and the page shows its reason.
  const wrongStage = await carol.page.request.post(`${runUrl}/retry`, { form: { _csrf: token } });
  expect(wrongStage.status()).toBe(409);
  const html = await wrongStage.text();
  expect(html).toContain('Refused: nothing was changed');
  expect(html).toContain('<code>WrongStage</code>');
  await stillWaiting();

  // The same refusal as a person meets it: a page left open while the run moved on (here: a form aimed at retry).
  await carol.page
    .locator('form[action$="/approve"]')
    .evaluate((form: { action: string }) => (form.action = form.action.replace(/approve$/, 'retry')));
  await carol.page.getByRole('button', { name: 'Approve deletion' }).click();
  await carol.page.getByRole('heading', { name: 'Refused: nothing was changed' }).waitFor();
  await carol.page.getByText('WrongStage', { exact: true }).waitFor();
  await checkPage(carol, 'refused-wrong-stage');
  await stillWaiting();
});

test('HR cannot approve: the console refuses with the missing role before anything is signed', async () => {
  const jane = await signIn(c, 'hr-jane', `/console/runs/${runOf('alice')}`);
  expect(await jane.page.getByRole('button', { name: 'Approve deletion' }).count()).toBe(0);
  const token = await jane.page.locator('input[name="_csrf"]').first().inputValue();
  const res = await jane.page.request.post(`${c.api.url}/console/runs/${runOf('alice')}/approve`, {
    form: { _csrf: token },
  });
  expect(res.status()).toBe(403);
  expect(await res.text()).toContain('Needed role: <code>admin</code>');
  await stillWaiting();
});

test('without JavaScript, plain links and forms do the job: dave approves alice from his inbox', async () => {
  // A second context, left open (the single-process browser closes with the file): scripts off, as some people run.
  const context = await c.browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${c.api.url}/console`);
  await page.getByLabel('User name').fill('dave');
  await page.getByLabel('Password').fill(c.api.passwords().dave);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/console\/inbox$/);
  await page.getByRole('link', { name: 'user/alice' }).click();
  await page.getByRole('link', { name: 'reload it' }).waitFor();
  await page.getByRole('button', { name: 'Approve deletion' }).click();
  await page.getByText('You approved the deletion.').waitFor();
  await waitForRun(c.api, runOf('alice'), (s) => s.stage === 'Completed', 'completion');
  await page.getByRole('link', { name: 'reload it' }).click();
  await page
    .locator('#stage')
    .filter({ hasText: /^Completed$/ })
    .waitFor();
  await page.screenshot({ path: screenshotPath('console-no-js-completed'), fullPage: true });
});
