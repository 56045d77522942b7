import { FailureType } from '../common/errors';
import { OffboardingStage } from '../common/stages';
import { type CleanResult, type RbacGrant, type RevocationProof, type TargetIdentity } from '../common/types';
import { failureType, Run, RunEnded } from './run';

/**
 * Revocation and verification, shared by both workflows — and the only place a RevocationProof is made.
 *
 * THE INVARIANT: identity deletion needs a `VerifiedRevocation`, and the only function that returns one is
 * `verifyRevocation` below, which returns only after (1) the clean task succeeded and (2) a fresh read showed every
 * cluster's kubeconfig Removed or Unissued and no RBAC grant left. Deletion activities check the proof again, and
 * the last one re-reads the live state right before DeleteUser/DeleteRole.
 */
declare const verifiedBrand: unique symbol;
export type VerifiedRevocation = RevocationProof & { readonly [verifiedBrand]: true };

export interface RevokeOptions {
  uid: string;
  target: TargetIdentity;
  clusterIds?: string[];
  force: boolean;
  /** Snapshotted grants to put back if the run later restores access (offboarding only). */
  grantsToRestore?: RbacGrant[];
}

/**
 * Asks Alibaba to clean the identity's kubeconfigs and RBAC grants. Without Force, a refusal because the identity
 * used a cluster in the last 7 days is evidence for an admin: the run waits for `resolveDependencies` and, on
 * proceed, asks again with Force.
 */
export async function revoke(run: Run, options: RevokeOptions): Promise<CleanResult> {
  const { uid, target, clusterIds, grantsToRestore } = options;
  let force = options.force;
  run.transition(
    OffboardingStage.Revocation,
    `Revoking kubeconfigs and RBAC grants of ${run.targetRef} (uid ${uid}) on ${clusterIds?.join(', ') ?? 'all clusters'}${force ? ' with Force' : ''}`,
  );
  if (grantsToRestore && grantsToRestore.length > 0) {
    // Registered before the call: re-granting is a full overwrite, harmless if the clean never happened.
    run.register({
      name: `re-grant ${grantsToRestore.length} RBAC grant(s) to uid ${uid}`,
      run: async () => {
        const r = await run.act('regrantPermissions', `Re-grant RBAC of ${run.targetRef}`, {
          uid,
          grants: grantsToRestore,
        });
        run.audit('GrantPermissions (restore)', 'ok', `${grantsToRestore.length} grant(s)`, r.requestIds);
      },
    });
  }
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
      run.status.revocation = result;
      run.audit(
        result.mode === 'all-clusters' ? 'CleanUserPermissions' : 'CleanClusterUserPermissions',
        'ok',
        `force=${force}${result.taskId ? ` task=${result.taskId}` : ''}`,
        result.requestIds,
      );
      return result;
    } catch (err) {
      if (failureType(err) !== FailureType.RecentClusterAccess) throw err;
      run.status.findings.push({
        probe: 'alibaba-recent-cluster-access',
        blocking: true,
        summary: `Alibaba refused the clean without Force: ${run.targetRef} used a cluster in the last 7 days`,
        evidence: { uid },
      });
      run.audit('CleanUserPermissions', 'refused', 'recent cluster access (7-day check): waiting for an admin');
      const decision = await decideDependencies(
        run,
        'Alibaba refused revocation without Force: the identity used a cluster in the last 7 days',
      );
      if (decision === 'abort') {
        await run.compensate('revocation aborted after the 7-day refusal');
        throw new RunEnded(
          OffboardingStage.Aborted,
          'aborted by an admin after Alibaba reported recent cluster access; quarantine undone',
        );
      }
      force = true;
      run.transition(OffboardingStage.Revocation, `Revoking with Force after an admin's decision`);
    }
  }
}

/** Waits for an admin's `resolveDependencies` (or a rescind). */
export async function decideDependencies(run: Run, why: string): Promise<'proceed' | 'abort'> {
  run.dependencyDecision = undefined;
  const stage = run.status.stage;
  const details = `Waiting for an admin: ${why} — \`offboard resolve ${run.workflowId} --as ADMIN --proceed|--abort --note …\``;
  run.transition(stage, details, 'dependencies');
  await run.notify('dependencies-found', `${run.targetRef}: dependency decision needed`, why);
  await run.waitFor(() => run.dependencyDecision !== undefined, 'a dependency decision');
  const decision = run.takeDependencyDecision();
  run.transition(stage, `Admin decided: ${decision}`);
  return decision;
}

/**
 * Follows the clean task, then reads the state back. Returns the proof only if every cluster (or, for a scoped
 * revokeKubeconfig, every named cluster) shows the kubeconfig Removed or Unissued and no RBAC grant remains.
 */
export async function verifyRevocation(
  run: Run,
  options: { uid: string; target: TargetIdentity; taskId?: string; clusterIds?: string[] },
): Promise<VerifiedRevocation> {
  const { uid, target, taskId, clusterIds } = options;
  run.transition(
    OffboardingStage.Verification,
    `Verifying that ${run.targetRef} has no usable kubeconfig and no RBAC grant left`,
  );
  if (taskId) {
    const task = await run.step('DescribeTaskInfo', () =>
      run.act('awaitCleanTask', `Follow clean task ${taskId}`, { taskId }),
    );
    run.audit('DescribeTaskInfo', 'ok', `task ${taskId} ${task.state}`, task.requestIds);
  }
  const result = await run.step('verifyRevocation', () =>
    run.act('verifyRevocation', `Verify revocation of ${run.targetRef}`, { uid, clusterIds, taskId }),
  );
  run.status.verification = result;
  run.audit(
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
