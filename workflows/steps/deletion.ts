import { CancellationScope, patched } from '@temporalio/workflow';
import { FailureType } from '../../common/errors';
import { OffboardingStage } from '../../common/stages';
import { summarizeRevocationProof } from '../../common/revocation-proof';
import { type LiveCheck, type RevocationProofSummary } from '../../common/types';
import { type StepResult } from '../../activities/types';
import { carryOutRescind } from '../run/blocking';
import { describeFailure } from '../run/failures';
import { type Run } from '../run/run';
import { passFailsafe } from './deletion-failsafe';
import { type VerifiedRevocation } from './verification';

/** One call of the deletion: the Alibaba operation (for Blocked), what the audit trail says, and the call. */
interface DeletionCall {
  /** The access key a DeleteAccessKey call deletes. */
  accessKeyId?: string;
  operation: string;
  done: string;
  call: () => Promise<StepResult>;
}

/** How Deletion ended, as far as the run can know who did what. */
export type DeletionOutcome =
  /** Something was usable again: revocation is redone and approved again before deletion. */
  | { kind: 'revoke-again' }
  /**
   * This run deleted the identity (`answerLost`: its DeleteUser took effect, the retry found the identity gone), and
   * these access keys with its own DeleteAccessKey calls (what an undo restores from RAM's recycle bin).
   */
  | { kind: 'deleted'; answerLost: boolean; accessKeyIds: string[] }
  /** RAM no longer knew the identity when Deletion began: removed outside this run, which deleted nothing. */
  | { kind: 'gone-before-deletion'; usableAgain: boolean }
  /** The identity went between this run's deletion steps, before its own DeleteUser/DeleteRole. */
  | { kind: 'gone-during-deletion' };

/**
 * Stage 7, Deletion — reachable only with a VerifiedRevocation. It begins with the live check, before anything
 * irreversible: the name must still name the verified uid (a rehire blocks the run, IdentityChanged), and nothing of
 * that uid may be usable again (a re-issued kubeconfig or a re-added grant sends the run back to revocation and a new
 * approval). Then the point of no return: a fresh plan, each call idempotent and checking the identity again, no
 * rescind, no cancellation; the last call runs the live check once more right before DeleteUser/DeleteRole. Between
 * the two, the account's blast-radius failsafe may pause the run for a second admin (steps/deletion-failsafe.ts).
 *
 * Each activity gets a summary of the proof, not the proof: the whole one holds every cluster's kubeconfig state and
 * was copied into the history with every call. The summary's SHA-256 of the proof ties each call to the verification
 * (common/revocation-proof.ts); the audit trail records it once, at the live check.
 */
export async function deleteIdentity(run: Run, proof: VerifiedRevocation): Promise<DeletionOutcome> {
  const target = proof.target;
  const summary = summarizeRevocationProof(proof);
  // The blast-radius failsafe (steps/deletion-failsafe.ts) after the live check; after a pause, the check again.
  let failsafe: 'ask' | 'granted' | 'confirmed' = patched('deletion-failsafe') ? 'ask' : 'granted';
  for (;;) {
    run.board.transition(
      OffboardingStage.Deletion,
      `Checking ${run.targetRef} live before deleting it: its id, its kubeconfigs on every cluster, its RBAC grants`,
    );
    const check = await run.step('live check before deletion', () =>
      run.act('checkBeforeDeletion', `Live check of ${run.targetRef} before deletion`, { proof: summary, target }),
    );
    const usable = check.usableKubeconfigs.length > 0 || check.grants.length > 0;
    if (!check.identityExists) {
      run.board.audit(
        'live check before deletion',
        'info',
        `${run.targetRef} (uid ${proof.uid}) is already gone (removed outside this run): RAM no longer knows the name${usable ? `; usable again: ${describeUsable(check)}` : ''}`,
        check.requestIds,
      );
      return { kind: 'gone-before-deletion', usableAgain: usable };
    }
    if (usable) return usableAgain(run, proof, check);
    run.board.audit(
      'live check before deletion',
      'ok',
      `uid ${proof.uid}: nothing usable on any cluster; revocation proof sha256:${summary.proofSha256}`,
      check.requestIds,
    );
    if (failsafe !== 'ask') break;
    failsafe = await passFailsafe(run);
    if (failsafe === 'granted') break;
  }

  await carryOutRescind(run);
  run.decisions.closeRescindWindow();
  return CancellationScope.nonCancellable(() => deleteInOrder(run, proof, summary));
}

/** "kubeconfig on c-prod-1 (Unexpired); RBAC grant on c-prod-1 (dev)". */
function describeUsable(check: Pick<LiveCheck, 'usableKubeconfigs' | 'grants'>): string {
  return [
    ...check.usableKubeconfigs.map((k) => `kubeconfig on ${k.clusterId} (${k.certState})`),
    ...check.grants.map((g) => `RBAC grant on ${g.resourceId} (${g.roleType || g.roleName})`),
  ].join('; ');
}

/** Recorded as evidence; what was approved is no longer what would be deleted, so the run goes back to revocation. */
function usableAgain(
  run: Run,
  proof: VerifiedRevocation,
  check: Pick<LiveCheck, 'usableKubeconfigs' | 'grants'>,
): DeletionOutcome {
  const what = describeUsable(check);
  run.board.status.findings.push({
    probe: 'usable-again',
    blocking: false,
    summary: `since its revocation was verified at ${proof.verifiedAt}, ${run.targetRef} can use the clusters again: ${what}`,
    evidence: { uid: proof.uid, verifiedAt: proof.verifiedAt },
  });
  run.board.audit(
    'live check before deletion',
    'refused',
    `usable again: ${what}; revoking again, then a new approval`,
  );
  return { kind: 'revoke-again' };
}

async function deleteInOrder(
  run: Run,
  proof: VerifiedRevocation,
  summary: RevocationProofSummary,
): Promise<DeletionOutcome> {
  const target = proof.target;
  const proven = { proof: summary, target };
  const op = target.type === 'user' ? 'DeleteUser' : 'DeleteRole';
  run.board.transition(OffboardingStage.Deletion, `Deleting ${run.targetRef}: prerequisites first, then ${op}`);
  const plan = await run.step('planDeletion', () =>
    run.act('planDeletion', `Plan deletion of ${run.targetRef}`, proven),
  );
  const calls: DeletionCall[] = [
    ...plan.accessKeyIds.map((accessKeyId) => ({
      accessKeyId,
      operation: 'DeleteAccessKey',
      done: `DeleteAccessKey ${accessKeyId}`,
      call: () => run.act('deleteAccessKey', `Delete access key ${accessKeyId}`, { ...proven, accessKeyId }),
    })),
    ...plan.groups.map((groupName) => ({
      operation: 'RemoveUserFromGroup',
      done: `RemoveUserFromGroup ${groupName}`,
      call: () => run.act('removeUserFromGroup', `Remove from group ${groupName}`, { ...proven, groupName }),
    })),
    ...plan.policies.map((policy) => ({
      operation: 'DetachPolicy',
      done: `DetachPolicy ${policy.policyType}/${policy.policyName}`,
      call: () => run.act('detachPolicy', `Detach policy ${policy.policyName}`, { ...proven, policy }),
    })),
    ...(plan.loginProfile
      ? [
          {
            operation: 'DeleteLoginProfile',
            done: 'DeleteLoginProfile',
            call: () => run.act('deleteLoginProfile', 'Delete login profile', proven),
          },
        ]
      : []),
    ...(plan.mfa
      ? [
          {
            operation: 'UnbindMFADevice',
            done: 'UnbindMFADevice',
            call: () => run.act('unbindMfaDevice', 'Unbind MFA device', proven),
          },
        ]
      : []),
  ];
  const deletedKeys: string[] = [];
  for (const c of calls) {
    const r = await run.step(c.operation, c.call, { interruptible: false });
    record(run, c.done, r);
    if (c.accessKeyId && (r.changed || r.earlierAttempt)) deletedKeys.push(c.accessKeyId);
  }

  let last: StepResult;
  try {
    last = await run.step(
      op,
      () => run.act('deleteIdentity', `${op} ${target.name} (revocation verified ${proof.verifiedAt})`, proven),
      { interruptible: false, handle: (type) => type === FailureType.UsableAgain },
    );
  } catch (err) {
    const failure = describeFailure(err);
    if (failure.type !== FailureType.UsableAgain) throw err;
    const check = (err as { cause?: { details?: unknown[] } }).cause?.details?.[0] as LiveCheck | undefined;
    return usableAgain(run, proof, check ?? { usableKubeconfigs: [], grants: [] });
  }
  record(run, op, last);
  if (last.changed) return { kind: 'deleted', answerLost: false, accessKeyIds: deletedKeys };
  return last.earlierAttempt
    ? { kind: 'deleted', answerLost: true, accessKeyIds: deletedKeys }
    : { kind: 'gone-during-deletion' };
}

/**
 * The audit trail tells what this run changed from what it found already done: "not found" is success for an
 * idempotent step, but it is recorded as removed outside this run — unless a retried attempt found what this run's
 * own earlier attempt did before its answer was lost.
 */
function record(run: Run, done: string, r: StepResult): void {
  if (r.changed) {
    run.board.status.deletedSteps.push(done);
    run.board.audit(done, 'ok', undefined, r.requestIds);
  } else if (r.earlierAttempt) {
    run.board.status.deletedSteps.push(done);
    run.board.audit(
      done,
      'ok',
      'done by this run: its earlier attempt took effect and the answer was lost (the retry found it gone)',
      r.requestIds,
    );
  } else {
    run.board.audit(done, 'info', 'already gone (removed outside this run)', r.requestIds);
  }
}
