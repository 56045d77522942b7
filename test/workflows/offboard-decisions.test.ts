import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { statusQuery } from '../../common/messages';
import { OffboardingStage } from '../../common/stages';
import { decide, people } from '../support/trust';
import { emulatorState, journal, offboardInput, resetWorld, startOffboard, successes, waitForStage } from './harness';
import { useHarness } from './use-harness';
import { recordHistory } from './record';

const h = useHarness('offboard-decisions');
beforeEach(() => resetWorld(h, ['alice', 'bob', 'ci-deployer']));

interface UserView {
  name: string;
  accessKeys: Array<{ id: string; status: string }>;
  loginProfile?: unknown;
}

async function user(name: string): Promise<UserView | undefined> {
  const state = await emulatorState(h.emulator);
  return (state.users as UserView[]).find((u) => u.name === name);
}

async function grantsOf(uid: string): Promise<unknown[]> {
  const state = await emulatorState(h.emulator);
  return ((state.grants as Record<string, unknown[]>)[uid] ?? []) as unknown[];
}

const WRITES = [
  'UpdateAccessKey',
  'DeleteLoginProfile',
  'CleanUserPermissions',
  'CleanClusterUserPermissions',
  'DeleteUser',
];

test('dependency found (a key used minutes ago) then proceed: nothing changes before the decision', async () => {
  const { handle } = await startOffboard(h, offboardInput(h, 'ci-deployer'));
  const waiting = await waitForStage(handle, OffboardingStage.DependencyCheck, 30_000, 'dependencies');
  expect(waiting.findings.filter((f) => f.blocking).map((f) => f.probe)).toEqual(['access-key-recent-use']);
  expect(waiting.details).toMatch(/Waiting for an admin/);
  const before = await journal(h.emulator);
  expect(before.filter((e) => WRITES.includes(e.action))).toEqual([]);

  await decide(
    h,
    handle,
    'resolveDependencies',
    { decision: 'proceed', reason: 'pipeline moved to a new key' },
    people.dave,
  );
  // The pipeline also used a cluster this week: Alibaba's own check is a second finding, decided separately.
  await waitForStage(handle, OffboardingStage.Revocation, 30_000, 'dependencies');
  expect((await user('ci-deployer'))?.accessKeys.every((k) => k.status === 'Inactive')).toBe(true);
  await decide(h, handle, 'resolveDependencies', { decision: 'proceed', reason: 'force it' }, people.dave);
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  expect((await user('ci-deployer'))?.accessKeys.every((k) => k.status === 'Inactive')).toBe(true);
  await recordHistory('dependency-proceed', handle);
  await handle.terminate('test done');
});

test('dependency found then abort: the run ends Aborted and nothing was changed', async () => {
  const { handle } = await startOffboard(h, offboardInput(h, 'ci-deployer'));
  await waitForStage(handle, OffboardingStage.DependencyCheck, 30_000, 'dependencies');
  await decide(
    h,
    handle,
    'resolveDependencies',
    { decision: 'abort', reason: 'still used by the release pipeline' },
    people.carol,
  );
  const result = await handle.result();
  expect(result.stage).toBe(OffboardingStage.Aborted);
  expect(result.outcome).toMatch(/nothing was changed/);
  expect((await journal(h.emulator)).filter((e) => WRITES.includes(e.action))).toEqual([]);
  expect((await user('ci-deployer'))?.accessKeys.every((k) => k.status === 'Active')).toBe(true);
});

test("the 7-day refusal is a dependency finding; an admin's proceed retries with Force", async () => {
  const { handle } = await startOffboard(h, offboardInput(h, 'bob'));
  // Bob's access key was used two days ago: first the dependency check asks.
  await waitForStage(handle, OffboardingStage.DependencyCheck, 30_000, 'dependencies');
  await decide(
    h,
    handle,
    'resolveDependencies',
    { decision: 'proceed', reason: 'his laptop script, retired' },
    people.carol,
  );
  const waiting = await waitForStage(handle, OffboardingStage.Revocation, 30_000, 'dependencies');
  expect(waiting.findings.map((f) => f.probe)).toContain('alibaba-recent-cluster-access');
  // The second wait began in the middle of Revocation: the run says when, not when the stage began.
  const revocationEntered = waiting.audit.find((e) => e.action.endsWith('→ Revocation'))!.time;
  expect(Date.parse(waiting.pendingSince!)).toBeGreaterThan(Date.parse(revocationEntered));
  const refused = (await journal(h.emulator)).filter((e) => e.action === 'CleanUserPermissions');
  expect(refused).toHaveLength(1);
  expect(refused[0].errorCode).toBe('ErrorCleanPermissions.RecentAccess');

  await decide(
    h,
    handle,
    'resolveDependencies',
    { decision: 'proceed', reason: 'bob left; the access was his last day' },
    people.carol,
  );
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  const cleaned = successes(await journal(h.emulator), 'CleanUserPermissions');
  expect(cleaned).toHaveLength(1);
  expect(JSON.stringify(cleaned[0].params)).toMatch(/"Force":"?true/);
  await recordHistory('seven-day-refusal-force', handle);
  await handle.terminate('test done');
});

test('scheduled deletion waits for deleteNotBefore after approval', async () => {
  const deleteNotBefore = new Date(Date.now() + 6_000).toISOString();
  const { handle } = await startOffboard(h, offboardInput(h, 'alice', { deleteNotBefore }));
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  await decide(h, handle, 'approveDeletion', {}, people.dave);
  await waitForStage(handle, OffboardingStage.ScheduledDeletion, 10_000);
  expect(successes(await journal(h.emulator), 'DeleteUser')).toHaveLength(0);
  const result = await handle.result();
  expect(result.stage).toBe(OffboardingStage.Completed);
  const deleted = successes(await journal(h.emulator), 'DeleteUser')[0];
  expect(Date.parse(deleted.time)).toBeGreaterThanOrEqual(Date.parse(deleteNotBefore) - 1_000);
  await recordHistory('scheduled-deletion', handle);
});

test('rescind before the scheduled deletion restores access', async () => {
  const deleteNotBefore = new Date(Date.now() + 120_000).toISOString();
  const { handle } = await startOffboard(h, offboardInput(h, 'alice', { deleteNotBefore }));
  const waiting = await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  expect(waiting.compensations).toHaveLength(4);
  await decide(h, handle, 'approveDeletion', {}, people.dave);
  await waitForStage(handle, OffboardingStage.ScheduledDeletion, 10_000);
  await decide(h, handle, 'rescind', { reason: 'rehired' }, people.hrJane);
  const result = await handle.result();
  expect(result.stage).toBe(OffboardingStage.Rescinded);
  const alice = await user('alice');
  expect(alice?.accessKeys.every((k) => k.status === 'Active')).toBe(true);
  expect(alice?.loginProfile).toBeDefined();
  expect(await grantsOf(result.uid as string)).toHaveLength(2);
  expect(successes(await journal(h.emulator), 'DeleteUser')).toHaveLength(0);
  await recordHistory('rescind', handle);
});

test('rejection with restore puts access back; without restore access stays cut', async () => {
  const first = await startOffboard(h, offboardInput(h, 'alice'));
  await waitForStage(first.handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  await decide(h, first.handle, 'rejectDeletion', { reason: 'wrong person', restoreAccess: true }, people.carol);
  const restored = await first.handle.result();
  expect(restored.stage).toBe(OffboardingStage.Rejected);
  expect(restored.outcome).toMatch(/access restored/);
  let alice = await user('alice');
  expect(alice?.accessKeys.every((k) => k.status === 'Active')).toBe(true);
  expect(alice?.loginProfile).toBeDefined();
  expect(await grantsOf(restored.uid as string)).toHaveLength(2);
  // Undo ran in reverse order: grants first (registered last), keys last.
  const entries = await journal(h.emulator);
  const grant = successes(entries, 'GrantPermissions')[0];
  const reactivate = successes(entries, 'UpdateAccessKey').find(
    (e) => JSON.stringify(e.params).includes('Active') && !JSON.stringify(e.params).includes('Inactive'),
  );
  expect(grant.seq).toBeLessThan(reactivate!.seq);
  await recordHistory('reject-restore', first.handle);

  h.emulator.reset();
  const second = await startOffboard(h, offboardInput(h, 'alice'));
  await waitForStage(second.handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  await decide(
    h,
    second.handle,
    'rejectDeletion',
    { reason: 'keep the account for the audit', restoreAccess: false },
    people.carol,
  );
  const cut = await second.handle.result();
  expect(cut.stage).toBe(OffboardingStage.Rejected);
  expect(cut.outcome).toMatch(/access stays cut/);
  alice = await user('alice');
  expect(alice?.accessKeys.every((k) => k.status === 'Inactive')).toBe(true);
  expect(alice?.loginProfile).toBeUndefined();
  expect(await grantsOf(cut.uid as string)).toHaveLength(0);
});

test('expiry: no decision in time ends ApprovalExpired with access still cut, after reminders', async () => {
  // The in-process worker notifies on its console (the default channel): the reminders are lines there.
  const lines: string[] = [];
  const spy = jest.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
  try {
    const { handle } = await startOffboard(
      h,
      offboardInput(h, 'alice', { approvalReminderEvery: '1s', approvalExpiresAfter: '3500ms' }),
    );
    const result = await handle.result();
    expect(result.stage).toBe(OffboardingStage.ApprovalExpired);
    expect((await user('alice'))?.accessKeys.every((k) => k.status === 'Inactive')).toBe(true);
    const reminders = lines.filter((l) => l.startsWith(`[notify] approval-reminder ${handle.workflowId}:`));
    expect(reminders.length).toBeGreaterThanOrEqual(2);
    await recordHistory('expiry', handle);
  } finally {
    spy.mockRestore();
  }
});

test('cancellation before approval stops the run without restoring access', async () => {
  const { handle } = await startOffboard(h, offboardInput(h, 'alice'));
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  await handle.cancel();
  const err = await handle.result().catch((e) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect(err.cause).toBeInstanceOf(CancelledFailure);
  const status = await handle.query(statusQuery);
  expect(status.stage).toBe(OffboardingStage.Cancelled);
  expect((await user('alice'))?.accessKeys.every((k) => k.status === 'Inactive')).toBe(true);
  expect(successes(await journal(h.emulator), 'DeleteUser')).toHaveLength(0);
});
