import { FailureType } from '../../common/errors';
import { OffboardingStage } from '../../common/stages';
import { type RevocationProof, type TargetIdentity } from '../../common/types';
import { block } from '../run/blocking';
import { awaitCleanTaskEnd } from '../run/clean-task';
import { describeFailure } from '../run/failures';
import { type Run } from '../run/run';
import { revoke, type RevokeOptions } from './revocation';

/**
 * Stage 5, Verification — and the only place a RevocationProof is made.
 *
 * THE INVARIANT: identity deletion needs a `VerifiedRevocation`, and the only function that returns one is
 * `revokeAndVerify` below, which returns only after (1) the clean task succeeded — a task that failed, timed out, was
 * cancelled or was lost is cleaned again, never taken for done — and (2) a fresh read, by a worker shown to be RBAC
 * admin of every cluster concerned, showed each cluster's kubeconfig Removed or Unissued and no RBAC grant left.
 * Deletion activities check the proof again, and Deletion re-reads the live state (the identity's id included) at its
 * start and right before DeleteUser/DeleteRole.
 */
declare const verifiedBrand: unique symbol;
export type VerifiedRevocation = RevocationProof & { readonly [verifiedBrand]: true };

export interface RevokeAndVerifyOptions extends RevokeOptions {
  /** A scoped revokeKubeconfig verifies the named clusters; an offboarding always verifies every cluster. */
  verifyClusterIds?: string[];
}

/**
 * Stages 4 and 5 together: revokes (revocation.ts), follows the clean task, and reads the state back. A clean task that
 * ended without success blocks the run; the admin's retry issues a new clean, not another look at the dead task.
 */
export async function revokeAndVerify(run: Run, options: RevokeAndVerifyOptions): Promise<VerifiedRevocation> {
  let { force, grantsToRestore } = options;
  for (;;) {
    const clean = await revoke(run, { ...options, force, grantsToRestore });
    // Registered once; a second clean keeps Force once an admin allowed it.
    grantsToRestore = undefined;
    force = clean.force;
    const proof = await verify(run, options.uid, options.target, clean.taskId, options.verifyClusterIds);
    if (proof) return proof;
    run.board.audit('clean again', 'info', `clean task ${clean.taskId} ended without success: issuing a new clean`);
  }
}

/**
 * Follows the clean task, then reads the state back. Returns the proof only if every cluster (or, for a scoped
 * revokeKubeconfig, every named cluster) shows the kubeconfig Removed or Unissued and no RBAC grant remains; nothing
 * when the clean task ended without success and an admin retried (the caller cleans again).
 */
async function verify(
  run: Run,
  uid: string,
  target: TargetIdentity,
  taskId: string | undefined,
  clusterIds: string[] | undefined,
): Promise<VerifiedRevocation | undefined> {
  run.board.transition(
    OffboardingStage.Verification,
    `Verifying that ${run.targetRef} has no usable kubeconfig and no RBAC grant left`,
  );
  if (taskId && !(await followCleanTask(run, taskId))) return undefined;
  const result = await run.step('verifyRevocation', () =>
    run.act('verifyRevocation', `Verify revocation of ${run.targetRef}`, { uid, clusterIds, taskId }),
  );
  run.board.status.verification = result;
  run.board.audit(
    'verify revocation',
    'ok',
    result.kubeconfigs.map((k) => `${k.clusterId}=${k.certState}`).join(', ') || 'no kubeconfig records',
    result.requestIds,
  );
  const proof: RevocationProof = {
    kind: 'RevocationProof',
    uid,
    target,
    verifiedAt: result.verifiedAt,
    kubeconfigs: result.kubeconfigs,
    grantsRemaining: 0,
  };
  return proof as VerifiedRevocation;
}

/**
 * Polls the clean task until it ends. True when it succeeded; false when it ended without success (failed, timed out,
 * cancelled, lost) and an admin, told so while the run was Blocked, retried.
 */
async function followCleanTask(run: Run, taskId: string): Promise<boolean> {
  const dead = (type: string) => type === FailureType.CleanTaskFailed;
  try {
    const task = await run.step(
      'DescribeTaskInfo',
      async () => {
        const t = await awaitCleanTaskEnd(run, taskId, `Follow clean task ${taskId}`).catch((err: unknown) => {
          if (dead(describeFailure(err).type)) run.cleanTask.ended();
          throw err;
        });
        run.cleanTask.ended();
        return t;
      },
      { handle: dead },
    );
    run.board.audit('DescribeTaskInfo', 'ok', `task ${taskId} ${task.state}`, task.requestIds);
    return true;
  } catch (err) {
    const failure = describeFailure(err);
    if (!dead(failure.type)) throw err;
    await block(run, 'DescribeTaskInfo', failure, true);
    return false;
  }
}
