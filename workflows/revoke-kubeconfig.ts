import { checkRevokeInput } from '../common/inputs';
import { OffboardingStage } from '../common/stages';
import { type RevokeKubeconfigInput, type RunResult } from '../common/types';
import { Run } from './run/run';
import { checkNamedClusters, revokedOn } from './steps/clusters';
import { admitRequest } from './steps/policy';
import { resolveUids } from './steps/resolve';
import { revokeAndVerify } from './steps/verification';

/**
 * Incident response for a leaked kubeconfig: revoke now (one identity, all or some clusters), verify, done. No
 * approval and no deletion. Only the calls needed before the clean are made (named clusters exist, name → uid),
 * because the time from request to revocation is what matters here. The outcome names the clusters revoked and,
 * for a scoped revocation, those left untouched.
 */
export async function revokeKubeconfig(input: RevokeKubeconfigInput): Promise<RunResult> {
  const run = new Run('revokeKubeconfig', input);
  return run.main(async () => {
    await admitRequest(run, input, checkRevokeInput);
    const listed = input.clusterIds ? await checkNamedClusters(run, input.clusterIds) : undefined;

    const uids = await resolveUids(run, input);
    if (uids.length === 0) {
      return run.finish(OffboardingStage.AlreadyGone, `${run.targetRef} does not exist and has no kubeconfig left`);
    }
    // Force by default: a leaked kubeconfig is in use by definition, and the 7-day check would refuse exactly that.
    const force = input.force ?? true;
    const verified = new Set<string>();
    for (const uid of uids) {
      run.board.setUid(uid);
      const proof = await revokeAndVerify(run, {
        uid,
        target: input.target,
        clusterIds: input.clusterIds,
        force,
        verifyClusterIds: input.clusterIds,
      });
      for (const k of proof.kubeconfigs) verified.add(k.clusterId);
    }
    return run.finish(
      OffboardingStage.Revoked,
      `kubeconfigs of ${run.targetRef}${uids.length > 1 ? ` (uid ${uids.join(', ')})` : ''} ${revokedOn(input.clusterIds, [...verified].sort(), listed)}`,
    );
  });
}
