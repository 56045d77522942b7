import { FailureType } from '../../common/errors';
import { OffboardingStage } from '../../common/stages';
import { type CleanResult, type RbacGrant, type TargetIdentity } from '../../common/types';
import { endRun } from '../run/ending';
import { describeFailure } from '../run/failures';
import { type Run } from '../run/run';
import { decideDependencies } from './dependencies';

export interface RevokeOptions {
  uid: string;
  target: TargetIdentity;
  clusterIds?: string[];
  force: boolean;
  /** Snapshotted grants to put back if the run later restores access (offboarding only). */
  grantsToRestore?: RbacGrant[];
}

/**
 * Stage 4, Revocation: asks Alibaba to clean the identity's kubeconfigs and RBAC grants. Without Force, a refusal
 * because the identity used a cluster in the last 7 days is evidence for an admin: the run waits for
 * `resolveDependencies` and, on proceed, asks again with Force; on abort the run ends with its quarantine undone.
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
        () =>
          run.act(
            'cleanPermissions',
            `Clean kubeconfigs+RBAC of ${run.targetRef}${clusterIds ? ` on ${clusterIds.join(',')}` : ''}${force ? ' (Force)' : ''}`,
            { uid, target, clusterIds, force },
          ),
        { handle: (type) => type === FailureType.RecentClusterAccess && !force },
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
      if (describeFailure(err).type !== FailureType.RecentClusterAccess) throw err;
      await decideAfterRecentAccess(run, uid);
      force = true;
      run.board.transition(OffboardingStage.Revocation, `Revoking with Force after an admin's decision`);
    }
  }
}

/** Re-granting is a full overwrite, harmless if the clean never happened: registered before the call. */
function registerRegrant(run: Run, uid: string, grants: RbacGrant[]): void {
  run.register({
    name: `re-grant ${grants.length} RBAC grant(s) to uid ${uid}`,
    run: async () => {
      const r = await run.act('regrantPermissions', `Re-grant RBAC of ${run.targetRef}`, { uid, grants });
      run.board.audit('GrantPermissions (restore)', 'ok', `${grants.length} grant(s)`, r.requestIds);
    },
  });
}

/** Alibaba's 7-day refusal is a finding for an admin: proceed (with Force) returns; abort ends the run. */
async function decideAfterRecentAccess(run: Run, uid: string): Promise<void> {
  run.board.status.findings.push({
    probe: 'alibaba-recent-cluster-access',
    blocking: true,
    summary: `Alibaba refused the clean without Force: ${run.targetRef} used a cluster in the last 7 days`,
    evidence: { uid },
  });
  run.board.audit('CleanUserPermissions', 'refused', 'recent cluster access (7-day check): waiting for an admin');
  const decision = await decideDependencies(
    run,
    'Alibaba refused revocation without Force: the identity used a cluster in the last 7 days',
  );
  if (decision === 'abort') {
    await run.compensate('revocation aborted after the 7-day refusal');
    endRun(
      OffboardingStage.Aborted,
      'aborted by an admin after Alibaba reported recent cluster access; quarantine undone',
    );
  }
}
