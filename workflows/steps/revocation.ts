import { FailureType } from '../../common/errors';
import { OffboardingStage } from '../../common/stages';
import { type CleanResult, type RbacGrant, type TargetIdentity } from '../../common/types';
import { endRun } from '../run/ending';
import { describeFailure, type FailureFacts } from '../run/failures';
import { type Run } from '../run/run';
import { decideDependencies } from './dependencies';

export interface RevokeOptions {
  uid: string;
  target: TargetIdentity;
  clusterIds?: string[];
  force: boolean;
  /** Snapshotted grants to put back if the run later restores access (offboarding only; registered once per run). */
  grantsToRestore?: RbacGrant[];
}

/** Alibaba's refusals of a clean without Force: an admin decides (proceed = Force), the run does not block on them. */
const REFUSALS: readonly string[] = [FailureType.RecentClusterAccess, FailureType.UnclearCleanRefusal];

/**
 * Stage 4, Revocation: asks Alibaba to clean the identity's kubeconfigs and RBAC grants, and returns once it accepted
 * (an all-clusters clean is a task in flight then: `run.cleanTask`, followed by verification). Without Force, a refusal
 * — recent use in the last 7 days, no audit logs to check it, or an answer the run cannot classify — is evidence for an
 * admin: the run waits for `resolveDependencies` and, on proceed, asks again with Force; on abort the run ends with its
 * quarantine undone.
 */
export async function revoke(run: Run, options: RevokeOptions): Promise<CleanResult> {
  const { uid, target, clusterIds, grantsToRestore } = options;
  let force = options.force;
  run.board.transition(
    OffboardingStage.Revocation,
    `Revoking kubeconfigs and RBAC grants of ${run.targetRef} (uid ${uid}) on ${clusterIds?.join(', ') ?? 'all clusters'}${force ? ' with Force' : ''}`,
  );
  if (grantsToRestore && grantsToRestore.length > 0) registerRegrant(run, uid, grantsToRestore);
  for (;;) {
    try {
      const result = await run.step(
        'CleanUserPermissions',
        async () => {
          const r = await run.act(
            'cleanPermissions',
            `Clean kubeconfigs+RBAC of ${run.targetRef}${clusterIds ? ` on ${clusterIds.join(',')}` : ''}${force ? ' (Force)' : ''}`,
            { uid, target, clusterIds, force },
          );
          // Known before a rescind is carried out at this step's end: undoing waits for the task.
          run.cleanTask.started(r.taskId);
          return r;
        },
        { handle: (type) => REFUSALS.includes(type) && !force },
      );
      run.board.status.revocation = result;
      run.board.audit(
        result.mode === 'all-clusters' ? 'CleanUserPermissions' : 'CleanClusterUserPermissions',
        'ok',
        `force=${force}${result.taskId ? ` task=${result.taskId}` : ''}`,
        result.requestIds,
      );
      return result;
    } catch (err) {
      const failure = describeFailure(err);
      if (!REFUSALS.includes(failure.type)) throw err;
      await decideAfterRefusal(run, uid, failure);
      force = true;
      run.board.transition(OffboardingStage.Revocation, `Revoking with Force after an admin's decision`);
    }
  }
}

/**
 * Re-granting is a full overwrite, harmless if the clean never happened: registered before the call. It first waits
 * for a clean task still in flight to end, or the task would land afterwards and wipe the grants it put back.
 */
function registerRegrant(run: Run, uid: string, grants: RbacGrant[]): void {
  run.register({
    name: `re-grant ${grants.length} RBAC grant(s) to uid ${uid}`,
    run: async () => {
      await run.cleanTask.settle(run);
      const r = await run.act('regrantPermissions', `Re-grant RBAC of ${run.targetRef}`, { uid, grants });
      run.board.audit('GrantPermissions (restore)', 'ok', `${grants.length} grant(s)`, r.requestIds);
    },
  });
}

/** The raw answer, as evidence: what Alibaba said, in its own code, status and words. */
function evidenceOf(uid: string, f: FailureFacts): Record<string, string> {
  return {
    uid,
    ...(f.code && { code: f.code }),
    ...(f.statusCode !== undefined && { statusCode: String(f.statusCode) }),
    message: f.serviceMessage ?? f.message,
  };
}

/** A refusal of the clean without Force is a finding for an admin: proceed (with Force) returns; abort ends the run. */
async function decideAfterRefusal(run: Run, uid: string, f: FailureFacts): Promise<void> {
  const answer = `${[f.code, f.statusCode !== undefined ? `HTTP ${f.statusCode}` : undefined].filter(Boolean).join(', ') || 'no code'}: ${f.serviceMessage ?? f.message}`;
  const recognised = f.type === FailureType.RecentClusterAccess;
  const summary = recognised
    ? `Alibaba refused the clean without Force: recent use of a cluster in the last 7 days, or no audit logs to check it (${answer})`
    : `Alibaba refused the clean without Force with an answer the run is not sure what it means (${answer}): it may be the 7-day check`;
  run.board.status.findings.push({
    probe: recognised ? 'alibaba-recent-cluster-access' : 'alibaba-clean-refusal',
    blocking: true,
    summary,
    evidence: evidenceOf(uid, f),
  });
  run.board.audit('CleanUserPermissions', 'refused', `${summary}: waiting for an admin`);
  const decision = await decideDependencies(run, `${summary}; proceeding cleans with Force`);
  if (decision === 'abort') {
    await run.compensate('revocation aborted after Alibaba refused the clean without Force');
    endRun(
      OffboardingStage.Aborted,
      'aborted by an admin after Alibaba refused the clean without Force; quarantine undone',
    );
  }
}
