/**
 * The blast-radius failsafe through the CLI and the API, with a limit of 1 deletion per hour: the second approved
 * run pauses; `failsafe status` shows it to anyone who may read; HR may not confirm (403), the admin who approved it
 * is refused by the run (and the failsafe stays paused), a second admin's confirmation lets it complete and starts a
 * new window.
 */
import { deletionFailsafeWorkflowId, failsafeStatusQuery } from '../../common/deletion-failsafe';
import { offboardWorkflowId } from '../../common/ids';
import { statusQuery } from '../../common/messages';
import { OffboardingStage } from '../../common/stages';
import { closeTestConnections } from '../support/temporal';
import { leaversLikeBob, waitForStage } from '../workflows/harness';
import { argv } from './argv';
import { type CliWorld, json, offboard, startCliWorld } from './cli-harness';

const names = ['leaver-a', 'leaver-b'];
let w: CliWorld;

beforeAll(async () => {
  w = await startCliWorld(
    'cli-failsafe',
    {},
    { editFixture: leaversLikeBob(names), env: { OFFBOARD_DELETION_FAILSAFE: '1/1h' } },
  );
}, 120_000);
afterAll(async () => {
  await w?.stop();
  await closeTestConnections();
});

const handleOf = (user: string) =>
  w.h.client.workflow.getHandle(offboardWorkflowId(w.h.accountId, { type: 'user', name: user }));

async function startAndApprove(user: string): Promise<void> {
  const hr = await w.as('hr-jane');
  const started = await offboard(hr, argv('start', { user, reason: 'departure', ticket: 'HR-9' }));
  expect(started.code).toBe(0);
  await waitForStage(handleOf(user), OffboardingStage.AwaitingApproval, 30_000, 'approval');
  const approved = await offboard(await w.as('carol'), argv('approve', { user, comment: 'layoff list' }));
  expect(approved.code).toBe(0);
}

test('failsafe status and confirm: HR 403, the approver refused by the run, a second admin lets it go', async () => {
  await startAndApprove('leaver-a');
  expect((await handleOf('leaver-a').result()).stage).toBe(OffboardingStage.Completed);
  await startAndApprove('leaver-b');
  await waitForStage(handleOf('leaver-b'), OffboardingStage.DeletionPaused, 30_000, 'failsafe');

  const hr = await w.as('hr-jane');
  const status = await offboard(hr, argv('failsafe', 'status'));
  expect(status.code).toBe(0);
  expect(status.stdout).toMatch(/Deletions: +1 of 1 in the last 1 hour/);
  expect(status.stdout).toMatch(/PAUSED since/);
  expect(status.stdout).toContain(handleOf('leaver-b').workflowId);

  const byHr = await offboard(hr, argv('failsafe', 'confirm', { reason: 'checked' }));
  expect(byHr.code).toBe(4);
  expect(byHr.stderr).toMatch(/admin/);

  const byApprover = await offboard(
    await w.as('carol'),
    argv('failsafe', 'confirm', { reason: 'checked', json: true }),
  );
  expect(byApprover.code).toBe(4);
  expect(json(byApprover)).toMatchObject({
    summary: { confirmed: 0, refused: 1 },
    runs: [{ workflowId: handleOf('leaver-b').workflowId, status: 'refused', refusal: 'SecondAdmin' }],
    governor: { confirmed: false },
  });
  const governor = w.h.client.workflow.getHandle(deletionFailsafeWorkflowId(w.h.accountId));
  expect(await governor.query(failsafeStatusQuery)).toMatchObject({ paused: true });
  expect((await handleOf('leaver-b').query(statusQuery)).stage).toBe(OffboardingStage.DeletionPaused);

  const byDave = await offboard(await w.as('dave'), argv('failsafe', 'confirm', { reason: 'layoff list checked' }));
  expect(byDave.code).toBe(0);
  expect(byDave.stdout).toContain('1 confirmed, 0 refused you, 0 no longer paused.');
  expect(byDave.stdout).toContain('The failsafe starts a new window (it released 1 held run(s)).');
  expect((await handleOf('leaver-b').result()).stage).toBe(OffboardingStage.Completed);
  const audit = (await handleOf('leaver-b').query(statusQuery)).audit;
  expect(audit).toContainEqual(
    expect.objectContaining({ action: 'confirmDeletions (update)', outcome: 'refused', actor: 'carol' }),
  );
  expect(audit).toContainEqual(
    expect.objectContaining({ action: 'blast-radius failsafe confirmed', outcome: 'ok', actor: 'dave' }),
  );

  const after = json<{ governor: { paused: boolean; count: number } }>(
    await offboard(hr, argv('failsafe', 'status', { json: true })),
  );
  expect(after.governor).toMatchObject({ paused: false, count: 0 });
}, 180_000);
