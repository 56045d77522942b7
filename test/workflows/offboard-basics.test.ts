import { existsSync, readFileSync } from 'node:fs';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { approveDeletionSignal, approveDeletionUpdate, rejectDeletionUpdate, statusQuery } from '../../common/messages';
import { offboardWorkflowId } from '../../common/ids';
import { SearchAttributes } from '../../common/search-attributes';
import { OffboardingStage } from '../../common/stages';
import {
  emulatorState,
  journal,
  offboardInput,
  resetWorld,
  startOffboard,
  successes,
  waitForStage,
  waitForStatus,
} from './harness';
import { useHarness } from './use-harness';
import { recordHistory } from './record';

const h = useHarness('offboard-basics');
beforeEach(() => resetWorld(h, ['alice', 'bob', 'former-contractor', 'nobody'], ['legacy-deploy-role']));

function allSecrets(): string[] {
  const f = h.emulator.fixture;
  return [...f.account.rootAccessKeys, ...f.users.flatMap((u) => u.accessKeys)].map((k) => k.secret);
}

test('happy path: alice is revoked, verified, approved by another admin, then deleted', async () => {
  const { handle } = await startOffboard(h, offboardInput(h, 'alice'));
  const waiting = await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  expect(waiting.verification?.grantsRemaining).toBe(0);
  expect(waiting.verification?.kubeconfigs.map((k) => k.certState)).toEqual(['Removed', 'Removed']);
  expect(waiting.details).toMatch(/Waiting for an admin other than hr-system/);

  const accepted = await handle.executeUpdate(approveDeletionUpdate, { args: [{ actor: 'carol' }] });
  expect(accepted.accepted).toBe(true);
  const result = await handle.result();
  expect(result.stage).toBe(OffboardingStage.Completed);

  // The emulator shows alice gone, her kubeconfigs removed and no grant left.
  const state = await emulatorState(h.emulator);
  expect((state.users as Array<{ name: string }>).map((u) => u.name)).not.toContain('alice');
  const uid = result.uid as string;
  expect(
    (state.kubeconfigs as Record<string, Array<{ state: string }>>)[uid]?.every((k) => k.state === 'Removed'),
  ).toBe(true);

  // Order, as the journal saw it: clean → task success → a read showing Removed → DeleteUser.
  const entries = await journal(h.emulator);
  const clean = successes(entries, 'CleanUserPermissions')[0];
  const task = successes(entries, 'DescribeTaskInfo').find(
    (e) => (e.response as { state?: string })?.state === 'success',
  );
  const deleteUser = successes(entries, 'DeleteUser')[0];
  expect(clean && task && deleteUser).toBeTruthy();
  expect(clean.seq).toBeLessThan(task!.seq);
  expect(task!.seq).toBeLessThan(deleteUser.seq);
  expect(successes(entries, 'DeleteUser')).toHaveLength(1);
  // Alice's prerequisites went before DeleteUser.
  for (const action of [
    'DeleteAccessKey',
    'RemoveUserFromGroup',
    'DetachPolicyFromUser',
    'DeleteLoginProfile',
    'UnbindMFADevice',
  ]) {
    expect(successes(entries, action).length).toBeGreaterThan(0);
    expect(successes(entries, action).every((e) => e.seq < deleteUser.seq)).toBe(true);
  }

  // Visibility: search attributes, UI metadata, audit trail and record.
  const d = await handle.describe();
  expect(d.typedSearchAttributes.get(SearchAttributes.stage)).toBe('Completed');
  expect(d.typedSearchAttributes.get(SearchAttributes.uid)).toBe(uid);
  expect(d.typedSearchAttributes.get(SearchAttributes.target)).toBe('user/alice');
  expect(await d.staticSummary()).toMatch(/Offboard user\/alice/);
  const status = await handle.query(statusQuery);
  expect(status.audit.some((e) => e.action === 'DeleteUser' && e.outcome === 'ok')).toBe(true);
  expect(status.decisions).toEqual([expect.objectContaining({ kind: 'approveDeletion', actor: 'carol' })]);
  expect(result.auditRecordPath && existsSync(result.auditRecordPath)).toBeTruthy();
  expect(readFileSync(result.auditRecordPath as string, 'utf8')).toMatch(/"action":"DeleteUser"/);

  // No secret anywhere in the history.
  const history = JSON.stringify(await handle.fetchHistory());
  for (const secret of allSecrets()) expect(history).not.toContain(secret);
  await recordHistory('happy-path', handle);
});

test('a RAM role: its kubeconfig revoked and verified, policies detached, then DeleteRole', async () => {
  const { handle } = await startOffboard(
    h,
    offboardInput(h, 'legacy-deploy-role', { target: { type: 'role', name: 'legacy-deploy-role' } }),
  );
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  await handle.executeUpdate(approveDeletionUpdate, { args: [{ actor: 'dave' }] });
  const result = await handle.result();
  expect(result.stage).toBe(OffboardingStage.Completed);
  const entries = await journal(h.emulator);
  const deleteRole = successes(entries, 'DeleteRole')[0];
  expect(successes(entries, 'DetachPolicyFromRole').every((e) => e.seq < deleteRole.seq)).toBe(true);
  expect(successes(entries, 'CleanUserPermissions')[0].seq).toBeLessThan(deleteRole.seq);
  const state = await emulatorState(h.emulator);
  expect((state.roles as Array<{ name: string }>).map((r) => r.name)).not.toContain('legacy-deploy-role');
  await recordHistory('role', handle);
});

test('a duplicate start joins the running run instead of starting another', async () => {
  const first = await startOffboard(h, offboardInput(h, 'alice'));
  const second = await startOffboard(h, offboardInput(h, 'alice', { requestedBy: 'hr-second-trigger' }));
  expect(second.workflowId).toBe(first.workflowId);
  expect(second.runId).toBe(first.runId);
  await waitForStage(first.handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  expect(successes(await journal(h.emulator), 'CleanUserPermissions')).toHaveLength(1);
  await first.handle.terminate('test done');
});

test('approval rules: wrong stage, requester (four eyes), non-admin and missing reason are refused; a refused signal changes nothing', async () => {
  const { handle } = await startOffboard(h, offboardInput(h, 'alice', { requestedBy: 'carol' }));
  // Too early: the run is not waiting for approval yet.
  await waitForStatus(handle, () => true, 'first status');
  const early = await handle.executeUpdate(approveDeletionUpdate, { args: [{ actor: 'dave' }] }).catch((e) => e);
  expect(early).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(early.cause.type).toBe('WrongStage');

  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  const own = await handle.executeUpdate(approveDeletionUpdate, { args: [{ actor: 'carol' }] }).catch((e) => e);
  expect(own).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(own.cause.type).toBe('FourEyes');
  expect(own.cause.message).toMatch(/requested this offboarding/);

  const outsider = await handle.executeUpdate(approveDeletionUpdate, { args: [{ actor: 'mallory' }] }).catch((e) => e);
  expect(outsider.cause.type).toBe('NotAnAdmin');

  const noReason = await handle
    .executeUpdate(rejectDeletionUpdate, { args: [{ actor: 'dave', reason: ' ', restoreAccess: true }] })
    .catch((e) => e);
  expect(noReason.cause.type).toBe('MissingReason');

  await handle.signal(approveDeletionSignal, { actor: 'mallory' });
  const afterSignal = await waitForStatus(
    handle,
    (s) => s.audit.some((e) => e.outcome === 'refused'),
    'the refused signal in the audit trail',
  );
  expect(afterSignal.stage).toBe(OffboardingStage.AwaitingApproval);
  expect(afterSignal.pendingDecision).toBe('approval');
  expect(afterSignal.audit.find((e) => e.outcome === 'refused')).toMatchObject({
    actor: 'mallory',
    action: 'approveDeletion (signal)',
  });
  expect(successes(await journal(h.emulator), 'DeleteUser')).toHaveLength(0);

  // A valid signal from the second admin is accepted like the update.
  await handle.signal(approveDeletionSignal, { actor: 'dave' });
  expect((await handle.result()).stage).toBe(OffboardingStage.Completed);
});

test('identity already gone: a leftover kubeconfig is revoked, then the run ends AlreadyGone', async () => {
  const { handle } = await startOffboard(h, offboardInput(h, 'former-contractor'));
  const result = await handle.result();
  expect(result.stage).toBe(OffboardingStage.AlreadyGone);
  expect(result.outcome).toMatch(/revoked 1 leftover kubeconfig/);
  const entries = await journal(h.emulator);
  const clean = successes(entries, 'CleanUserPermissions');
  expect(clean).toHaveLength(1);
  expect(JSON.stringify(clean[0].params)).toMatch(/2034000000000099/);
  expect(successes(entries, 'DeleteUser')).toHaveLength(0);
  await recordHistory('already-gone', handle);

  const nobody = await startOffboard(h, offboardInput(h, 'nobody'));
  const r2 = await nobody.handle.result();
  expect(r2.stage).toBe(OffboardingStage.AlreadyGone);
  expect(r2.outcome).toMatch(/no kubeconfig is left/);
});

test('bad input is refused before any API call, naming the field and the rule', async () => {
  const before = (await journal(h.emulator)).length;
  await expect(startOffboard(h, offboardInput(h, 'al ice'))).rejects.toThrow(/target\.name: must be 1-64 characters/);
  await expect(startOffboard(h, offboardInput(h, 'offboarding-bot'))).rejects.toThrow(/worker's own identity/);
  await expect(startOffboard(h, offboardInput(h, h.accountId))).rejects.toThrow(/root account/);
  await expect(startOffboard(h, { ...offboardInput(h, 'alice'), reason: 'fired' as never })).rejects.toThrow(
    /reason: must be one of departure, compromise, other/,
  );
  await expect(startOffboard(h, offboardInput(h, 'alice', { requestedBy: '' }))).rejects.toThrow(/requestedBy/);
  await expect(startOffboard(h, offboardInput(h, 'alice', { clusterIds: ['C_PROD'] }))).rejects.toThrow(
    /clusterIds\[0\]/,
  );

  // A run started by another tool, around the helper, is refused by the workflow itself.
  const raw = await h.client.workflow.start('offboardIdentity', {
    workflowId: offboardWorkflowId(h.accountId, { type: 'user', name: 'bob' }),
    taskQueue: h.taskQueue,
    args: [offboardInput(h, 'bob', { target: { type: 'user', name: 'offboarding-bot' } })],
  });
  const err = await raw.result().catch((e) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect(err.cause.type).toBe('InvalidInput');
  expect(err.cause.message).toMatch(/worker's own identity/);
  expect((await journal(h.emulator)).length).toBe(before);
});
