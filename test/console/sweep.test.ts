/**
 * The console's Sweep page in a real browser: anyone with a role sees the last report, the running sweep and the
 * schedule; an admin pauses and unpauses the schedule with a note (Temporal describes it so) and starts a dry run;
 * a second sweep while one runs is refused on the page, nothing started; security may sweep but not pause; the
 * pages pass axe-core and load under the console's Content-Security-Policy.
 */
import { sweepScheduleId } from '../../common/ids';
import { clearFaults, setFaults } from '../workflows/harness';
import { checkPage, signIn, useConsole } from './use-console';

const { h, c } = useConsole('console-sweep');
const describeSchedule = () => h.client.schedule.getHandle(sweepScheduleId(h.accountId)).describe();

afterAll(async () => {
  await h.client.schedule
    .getHandle(sweepScheduleId(h.accountId))
    .delete()
    .catch(() => undefined);
});

test('before anything: no report, no schedule; security may sweep, not schedule', async () => {
  const sam = await signIn(c, 'sam', '/console/sweep');
  await sam.page.getByRole('heading', { name: 'Sweep', level: 1 }).waitFor();
  await sam.page.getByText('No sweep of this account has completed yet.').waitFor();
  await sam.page.getByText('No sweep schedule: an admin creates it').waitFor();
  expect(await sam.page.getByRole('button', { name: 'Dry-run sweep now' }).count()).toBe(1);
  await checkPage(sam, 'sweep-empty');
  const hr = await signIn(c, 'hr-jane', '/console/sweep');
  expect(await hr.page.getByRole('button', { name: 'Dry-run sweep now' }).count()).toBe(0);
  expect(await hr.page.getByRole('link', { name: 'Sweep' }).count()).toBe(1);
});

test('an admin pauses and unpauses the schedule with a note, and starts a dry run; a second is refused', async () => {
  const created = await c.api.call('PUT', '/v1/sweeps/schedule', { as: 'carol', body: { every: '24h' } });
  expect(created.status).toBe(201);

  const carol = await signIn(c, 'carol', '/console/sweep');
  await carol.page.getByText('signed by Carol (carol), valid until').waitFor();
  await carol.page.getByLabel('Note (optional; your name is recorded)').fill('change freeze');
  await carol.page.getByRole('button', { name: 'Pause the schedule' }).click();
  await carol.page.getByText('You paused the sweep schedule.').waitFor();
  await carol.page.getByText('paused by Carol (carol): change freeze').waitFor();
  expect((await describeSchedule()).state).toMatchObject({
    paused: true,
    note: 'paused by Carol (carol): change freeze',
  });
  await checkPage(carol, 'sweep-paused');

  await carol.page.getByRole('button', { name: 'Unpause the schedule' }).click();
  await carol.page.getByText('You unpaused the sweep schedule.').waitFor();
  expect((await describeSchedule()).state.paused).toBe(false);

  // The sweep is held in its first read (each DescribeClustersV1 answers 3 s late) while the page shows it running.
  await setFaults(h.emulator, { rules: [{ action: 'DescribeClustersV1', kind: 'latency', latencyMs: 3_000 }] });
  await carol.page.getByRole('button', { name: 'Dry-run sweep now' }).click();
  const notice = await carol.page.getByText(/A dry-run sweep started: sweep\/\d+\/on-demand-/).innerText();
  const workflowId = /(sweep\/\S+)\. It only reports/.exec(notice)![1];
  const run = await h.client.workflow.getHandle(workflowId).describe();
  expect(run.status.name).toBe('RUNNING');
  await carol.page.getByRole('heading', { name: 'Running now' }).waitFor();

  // While it runs, the button is refused on the page, naming it; nothing else started.
  await carol.page.getByRole('button', { name: 'Dry-run sweep now' }).click();
  await carol.page.getByRole('heading', { name: 'Refused: nothing was changed' }).waitFor();
  await carol.page.getByText(`the sweep ${workflowId} (on demand) is running`).waitFor();
  await checkPage(carol, 'sweep-refused');

  // Released, it completes: the page shows its report, the demo's orphan among the findings.
  await clearFaults(h.emulator);
  await h.client.workflow.getHandle(workflowId).result();
  await carol.page.goto(`${c.api.url}/console/sweep`);
  const report = carol.page.getByRole('region', { name: 'Last report' });
  await report.getByText(workflowId).waitFor();
  await report.getByText('dry run: nothing was revoked').waitFor();
  await report.getByRole('row', { name: /2034000000000099 former-contractor/ }).waitFor();
  expect(await carol.page.getByRole('heading', { name: 'Running now' }).count()).toBe(0);
  await checkPage(carol, 'sweep-report');
});
