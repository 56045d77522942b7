import { existsSync, readFileSync } from 'node:fs';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { statusQuery } from '../../common/messages';
import { offboardWorkflowId } from '../../common/ids';
import { SearchAttributes } from '../../common/search-attributes';
import { OffboardingStage } from '../../common/stages';
import { decide, people, signalDecision } from '../support/trust';
import {
  emulatorState,
  journal,
  offboardInput,
  resetWorld,
  setFaults,
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
  expect(waiting.details).toMatch(/Waiting for an admin other than Jane \(HR\)/);

  const accepted = await decide(h, handle, 'approveDeletion', { comment: 'confirmed with HR-1234' }, people.carol);
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
  expect(status.decisions).toEqual([
    expect.objectContaining({ kind: 'approveDeletion', actor: 'carol', comment: 'confirmed with HR-1234' }),
  ]);
  // The signed decision is in the audit trail: anyone with the API's public key can check who approved.
  const approval = status.audit.find((e) => e.action === 'approveDeletion (update)');
  expect(approval).toMatchObject({ actor: 'carol', token: status.decisions[0].token });
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
  await decide(h, handle, 'approveDeletion', {}, people.dave);
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
  const second = await startOffboard(h, offboardInput(h, 'alice'), {
    subject: 'hr-ken',
    name: 'Ken (HR)',
    roles: ['hr'],
  });
  expect(second.workflowId).toBe(first.workflowId);
  expect(second.runId).toBe(first.runId);
  await waitForStage(first.handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  expect(successes(await journal(h.emulator), 'CleanUserPermissions')).toHaveLength(1);
  await first.handle.terminate('test done');
});

test('approval rules: wrong stage, requester (four eyes), non-admin and missing reason are refused; a refused signal changes nothing', async () => {
  // Hilda is in HR and an admin: she may request, but not also approve.
  const hilda = { subject: 'hilda', name: 'Hilda', roles: ['hr', 'admin'] };
  // A slow inventory holds the run in its Inventory stage (an activity on the task queue) while the early approval comes.
  await setFaults(h.emulator, { rules: [{ action: 'GetUser', kind: 'latency', latencyMs: 4_000, count: 1 }] });
  const { handle } = await startOffboard(h, offboardInput(h, 'alice'), hilda);
  // Too early: the run is not waiting for approval yet.
  await waitForStatus(handle, (s) => s.trustedKeyIds.length > 0, 'first status');
  const early = await decide(h, handle, 'approveDeletion', {}, people.dave).catch((e) => e);
  expect(early).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(early.cause.type).toBe('WrongStage');

  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  const own = await decide(h, handle, 'approveDeletion', {}, hilda).catch((e) => e);
  expect(own).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(own.cause.type).toBe('FourEyes');
  expect(own.cause.message).toMatch(/requested this run/);

  const outsider = await decide(h, handle, 'approveDeletion', {}, people.bob).catch((e) => e);
  expect(outsider.cause.type).toBe('NotAnAdmin');

  const noReason = await decide(h, handle, 'rejectDeletion', { reason: ' ', restoreAccess: true }, people.dave).catch(
    (e) => e,
  );
  expect(noReason.cause.type).toBe('MissingReason');

  await signalDecision(h, handle, 'approveDeletion', {}, people.bob);
  const afterSignal = await waitForStatus(
    handle,
    (s) => s.audit.some((e) => e.outcome === 'refused'),
    'the refused signal in the audit trail',
  );
  expect(afterSignal.stage).toBe(OffboardingStage.AwaitingApproval);
  expect(afterSignal.pendingDecision).toBe('approval');
  expect(afterSignal.audit.find((e) => e.outcome === 'refused')).toMatchObject({
    actor: 'unverified',
    action: 'approveDeletion (signal)',
    detail: expect.stringMatching(/^NotAnAdmin/),
  });
  expect(successes(await journal(h.emulator), 'DeleteUser')).toHaveLength(0);

  // A valid signal from the second admin is accepted like the update.
  await signalDecision(h, handle, 'approveDeletion', {}, people.dave);
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
  await expect(startOffboard(h, offboardInput(h, 'alice'), { ...people.hrJane, subject: 'a b' })).rejects.toThrow(
    /requestedBy/,
  );
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
