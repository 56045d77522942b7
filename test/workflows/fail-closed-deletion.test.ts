/**
 * The deletion invariant under changes made outside the run between verification and deletion (issue 13, items 1, 2
 * and 15): the live check at the start of Deletion and again right before DeleteUser finds a rehire, a re-issued
 * kubeconfig or an identity someone else deleted, and the run acts on what it found — never on the wrong identity,
 * never past a usable kubeconfig, never claiming a deletion it did not make.
 */
import { OffboardingStage } from '../../common/stages';
import { decide, people } from '../support/trust';
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
import { aliceOf, deleteUserOutsideRun, outsideWorldOf, rehireUser, reissueKubeconfig } from './outside-changes';
import { useHarness } from './use-harness';

const h = useHarness('fail-closed-deletion');
beforeEach(() => resetWorld(h, ['alice']));

/** The worker's calls that change or remove something, after journal position `since`. */
async function workerWritesSince(since: number): Promise<string[]> {
  return (await journal(h.emulator))
    .filter((e) => e.seq > since && e.caller?.identity === 'user/offboarding-bot')
    .filter((e) => /^(Delete|Remove|Detach|Unbind)/.test(e.action))
    .map((e) => e.action);
}

async function lastSeq(): Promise<number> {
  const entries = await journal(h.emulator);
  return entries.length > 0 ? entries[entries.length - 1].seq : 0;
}

test('item 1: a rehire under the same name between verification and deletion blocks the run; the new identity is left alone', async () => {
  const { handle } = await startOffboard(h, offboardInput(h, 'alice'));
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  const oldUid = aliceOf(h.emulator).uid;
  const newUid = await rehireUser(outsideWorldOf(h.emulator), 'alice');
  expect(newUid).not.toBe(oldUid);
  const approvedAt = await lastSeq();

  await decide(h, handle, 'approveDeletion', {}, people.carol);
  const blocked = await waitForStage(handle, OffboardingStage.Blocked, 30_000, 'blocked');
  expect(blocked.blocked).toMatchObject({ failureType: 'IdentityChanged' });
  // What changed, exactly: the name now names another identity.
  expect(blocked.blocked?.message).toContain(`user/alice is now uid ${newUid}, not uid ${oldUid}`);
  expect(blocked.blocked?.message).toMatch(/deleted and re-created/);

  // Nothing was removed from the new alice, and she still exists.
  expect(await workerWritesSince(approvedAt)).toEqual([]);
  const state = await emulatorState(h.emulator);
  const alice = (state.users as Array<{ name: string; id: string; groups: Array<{ name: string }> }>).find(
    (u) => u.name === 'alice',
  );
  expect(alice?.id).toBe(newUid);
  expect(alice?.groups.map((g) => g.name)).toEqual(['developers']);

  // A retry checks again and blocks again; abort ends the run with the new identity untouched.
  await decide(h, handle, 'retry', { reason: 'checked' }, people.dave);
  await waitForStatus(
    handle,
    (s) => s.stage === OffboardingStage.Blocked && s.audit.filter((e) => e.action.endsWith('blocked')).length === 2,
    'the second block',
  );
  await decide(h, handle, 'abort', { reason: 'alice was rehired' }, people.dave);
  const result = await handle.result();
  expect(result.stage).toBe(OffboardingStage.Aborted);
  expect(await workerWritesSince(approvedAt)).toEqual([]);
});

test('item 2: a kubeconfig re-issued after verification sends the run back to revocation and a new approval, with nothing deleted first', async () => {
  const { handle } = await startOffboard(h, offboardInput(h, 'alice'));
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  await reissueKubeconfig(outsideWorldOf(h.emulator), aliceOf(h.emulator), 'c-prod-1');
  const approvedAt = await lastSeq();
  await decide(h, handle, 'approveDeletion', { comment: 'first approval' }, people.carol);

  // Back to Revocation → Verification → a new AwaitingApproval; the first approval does not carry over.
  const again = await waitForStatus(
    handle,
    (s) =>
      s.stage === OffboardingStage.AwaitingApproval &&
      s.audit.filter((e) => e.action.endsWith('→ AwaitingApproval')).length === 2,
    'a second approval request',
  );
  expect(again.findings.map((f) => f.probe)).toContain('usable-again');
  expect(again.findings.find((f) => f.probe === 'usable-again')?.summary).toMatch(/c-prod-1/);
  expect(await workerWritesSince(approvedAt)).toEqual([]);
  const entries = await journal(h.emulator);
  expect(successes(entries, 'CleanUserPermissions').filter((e) => e.seq > approvedAt)).toHaveLength(1);

  await decide(h, handle, 'approveDeletion', { comment: 'second approval' }, people.dave);
  const result = await handle.result();
  expect(result.stage).toBe(OffboardingStage.Completed);
  const state = await emulatorState(h.emulator);
  const kubeconfigs = (state.kubeconfigs as Record<string, Array<{ state: string }>>)[aliceOf(h.emulator).uid];
  expect(kubeconfigs.every((k) => k.state === 'Removed')).toBe(true);
});

test('item 15: a user deleted outside the run between approval and deletion is recorded as removed outside it, not as deleted by it', async () => {
  const { handle } = await startOffboard(h, offboardInput(h, 'alice'));
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  await deleteUserOutsideRun(outsideWorldOf(h.emulator), 'alice');
  const approvedAt = await lastSeq();
  await decide(h, handle, 'approveDeletion', {}, people.carol);
  const result = await handle.result();
  expect(result.stage).toBe(OffboardingStage.AlreadyGone);
  expect(result.outcome).toMatch(/removed outside this run/);
  expect(result.outcome).not.toMatch(/deleted after verified revocation/);
  expect(result.audit.some((e) => /already gone \(removed outside this run\)/.test(e.detail ?? ''))).toBe(true);
  expect(successes(await journal(h.emulator), 'DeleteUser').filter((e) => e.seq > approvedAt)).toEqual([]);

  // This run's own DeleteUser whose answer was lost: the retry finds the user gone, and the record says the run
  // deleted it.
  await resetWorld(h, ['alice']);
  await setFaults(h.emulator, { rules: [{ action: 'DeleteUser', kind: 'drop', processed: true, count: 1 }] });
  const second = await startOffboard(h, offboardInput(h, 'alice'));
  await waitForStage(second.handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  await decide(h, second.handle, 'approveDeletion', {}, people.carol);
  const deleted = await second.handle.result();
  expect(deleted.stage).toBe(OffboardingStage.Completed);
  expect(deleted.outcome).toMatch(/deleted by this run/);
  expect(deleted.audit.find((e) => e.action === 'DeleteUser')?.detail).toMatch(/answer was lost/);
});
