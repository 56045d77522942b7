/**
 * The blast-radius failsafe with a limit of 2 deletions per hour on the account: the third approved run pauses in
 * DeletionPaused until a second admin confirms (its approver and HR are refused, and the attempts recorded), the
 * governor's new window lets the next two go, and five runs approved at once give exactly two deletions.
 */
import { type WorkflowHandle, WorkflowUpdateFailedError } from '@temporalio/client';
import { confirmFailsafeUpdate, deletionFailsafeWorkflowId, failsafeStatusQuery } from '../../common/deletion-failsafe';
import { statusQuery } from '../../common/messages';
import { OffboardingStage } from '../../common/stages';
import { firstRunIdOf } from '../../config/start';
import { type Person } from '../../server/signer';
import { decide, people } from '../support/trust';
import {
  journal,
  leaversLikeBob,
  offboardInput,
  resetWorld,
  startOffboard,
  successes,
  terminateIfRunning,
  waitForStage,
  waitForStatus,
} from './harness';
import { useHarness } from './use-harness';

const names = Array.from({ length: 6 }, (_, i) => `leaver-${i + 1}`);

const h = useHarness('deletion-failsafe', {
  editFixture: leaversLikeBob(names),
  env: { OFFBOARD_DELETION_FAILSAFE: '2/1h' },
});
const quietly = { approvalReminderEvery: '1h', approvalExpiresAfter: '2h', blockedReminderEvery: '1h' };

beforeEach(async () => {
  await terminateIfRunning(h.client, deletionFailsafeWorkflowId(h.accountId));
  await resetWorld(h, names);
});

async function approved(name: string): Promise<WorkflowHandle> {
  const { handle } = await startOffboard(h, offboardInput(h, name, quietly));
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  await decide(h, handle, 'approveDeletion', {}, people.carol);
  return handle;
}

/** The confirmation the API sends the governor for `person`. */
async function confirmGovernor(person: Person, reason: string) {
  const governor = h.client.workflow.getHandle(deletionFailsafeWorkflowId(h.accountId));
  const token = await h.signer.signDecision({
    workflowId: governor.workflowId,
    runId: firstRunIdOf(await governor.describe()),
    decision: 'confirmDeletions',
    args: { reason },
    person,
  });
  return governor.executeUpdate(confirmFailsafeUpdate, { args: [{ token }] });
}

async function refusal(p: Promise<unknown>): Promise<string | undefined> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return ((err as WorkflowUpdateFailedError).cause as { type?: string } | undefined)?.type;
}

test('limit 2: the third deletion pauses until a second admin confirms, then a new window lets two more go', async () => {
  for (const name of names.slice(0, 2)) {
    expect((await (await approved(name)).result()).stage).toBe(OffboardingStage.Completed);
  }
  const third = await approved(names[2]);
  const paused = await waitForStage(third, OffboardingStage.DeletionPaused, 30_000, 'failsafe');
  expect(paused.audit.map((e) => e.detail)).toContainEqual(
    `blast-radius failsafe: 2 deletions on account ${h.accountId} in the last 1 hour reached the limit of 2; waiting for a second admin's confirmation`,
  );
  expect(successes(await journal(h.emulator), 'DeleteUser')).toHaveLength(2);

  // The admin who approved it, and HR, may not confirm: refused, recorded, still paused.
  expect(await refusal(decide(h, third, 'confirmDeletions', { reason: 'layoff list checked' }, people.carol))).toBe(
    'SecondAdmin',
  );
  expect(await refusal(decide(h, third, 'confirmDeletions', { reason: 'go' }, people.hrJane))).toBe('NotAnAdmin');
  const still = await third.query(statusQuery);
  expect(still.stage).toBe(OffboardingStage.DeletionPaused);
  expect(still.audit.filter((e) => e.action === 'confirmDeletions (update)' && e.outcome === 'refused')).toEqual([
    expect.objectContaining({ actor: 'carol', detail: expect.stringMatching(/^SecondAdmin: .*second admin/) }),
    expect.objectContaining({ actor: 'hr-jane', detail: expect.stringMatching(/^NotAnAdmin/) }),
  ]);

  // The governor stays paused too; a second admin confirms the run and the governor.
  const governor = h.client.workflow.getHandle(deletionFailsafeWorkflowId(h.accountId));
  const before = await governor.query(failsafeStatusQuery);
  expect(before).toMatchObject({ paused: true, count: 2, limit: 2, window: '1 hour' });
  expect(before.held.map((r) => r.workflowId)).toEqual([third.workflowId]);

  await decide(h, third, 'confirmDeletions', { reason: 'layoff list checked with HR-77' }, people.dave);
  expect((await confirmGovernor(people.dave, 'layoff list checked with HR-77')).released).toBe(1);
  const result = await third.result();
  expect(result.stage).toBe(OffboardingStage.Completed);
  const done = await third.query(statusQuery);
  const confirmed = done.audit.find((e) => e.action === 'blast-radius failsafe confirmed');
  expect(confirmed).toMatchObject({
    actor: 'dave',
    outcome: 'ok',
    detail: 'by Dave (dave): layoff list checked with HR-77',
  });
  expect(confirmed?.token).toEqual(expect.any(String));
  expect(done.decisions.map((d) => [d.kind, d.actor])).toEqual([
    ['approveDeletion', 'carol'],
    ['confirmDeletions', 'dave'],
  ]);
  expect(await governor.query(failsafeStatusQuery)).toMatchObject({ paused: false, count: 0, held: [] });

  // The new window: the next two go, the one after pauses again.
  for (const name of names.slice(3, 5)) {
    expect((await (await approved(name)).result()).stage).toBe(OffboardingStage.Completed);
  }
  await waitForStage(await approved(names[5]), OffboardingStage.DeletionPaused, 30_000, 'failsafe');
  expect(successes(await journal(h.emulator), 'DeleteUser')).toHaveLength(5);
}, 180_000);

test('five runs approved at once with a limit of 2: exactly two delete, three are held', async () => {
  const handles = await Promise.all(
    names.slice(0, 5).map(async (name) => {
      const { handle } = await startOffboard(h, offboardInput(h, name, quietly));
      await waitForStage(handle, OffboardingStage.AwaitingApproval, 60_000, 'approval');
      return handle;
    }),
  );
  await Promise.all(handles.map((handle) => decide(h, handle, 'approveDeletion', {}, people.carol)));
  const ends = await Promise.all(
    handles.map(async (handle) => {
      const end = [OffboardingStage.Completed, OffboardingStage.DeletionPaused] as string[];
      return (await waitForStatus(handle, (s) => end.includes(s.stage), 'completed or paused', 60_000)).stage;
    }),
  );
  expect(ends.filter((s) => s === OffboardingStage.Completed)).toHaveLength(2);
  expect(ends.filter((s) => s === OffboardingStage.DeletionPaused)).toHaveLength(3);
  expect(successes(await journal(h.emulator), 'DeleteUser')).toHaveLength(2);
  const governor = h.client.workflow.getHandle(deletionFailsafeWorkflowId(h.accountId));
  expect(await governor.query(failsafeStatusQuery)).toMatchObject({ paused: true, count: 2 });
  expect((await governor.query(failsafeStatusQuery)).held).toHaveLength(3);
}, 120_000);
