import { checkRevokeInput } from '../common/inputs';
import { OffboardingStage } from '../common/stages';
import { type RevokeKubeconfigInput, type RunResult } from '../common/types';
import { Run } from './run/run';
import { admitRequest } from './steps/policy';
import { revoke } from './steps/revocation';
import { resolveUids } from './steps/resolve';
import { verifyRevocation } from './steps/verification';

/**
 * Incident response for a leaked kubeconfig: revoke now (one identity, all or some clusters), verify, done. No
 * approval and no deletion. Only the calls needed before the clean are made (name → uid), because the time from
 * request to revocation is what matters here.
 */
export async function revokeKubeconfig(input: RevokeKubeconfigInput): Promise<RunResult> {
  const run = new Run('revokeKubeconfig', input);
  return run.main(async () => {
    await admitRequest(run, input, checkRevokeInput);

    const uids = await resolveUids(run, input);
    if (uids.length === 0) {
      return run.finish(OffboardingStage.AlreadyGone, `${run.targetRef} does not exist and has no kubeconfig left`);
    }
    // Force by default: a leaked kubeconfig is in use by definition, and the 7-day check would refuse exactly that.
    const force = input.force ?? true;
    for (const uid of uids) {
      run.board.setUid(uid);
      const clean = await revoke(run, { uid, target: input.target, clusterIds: input.clusterIds, force });
      await verifyRevocation(run, { uid, target: input.target, taskId: clean.taskId, clusterIds: input.clusterIds });
    }
    return run.finish(
      OffboardingStage.Revoked,
      `kubeconfigs of ${run.targetRef} revoked and verified on ${input.clusterIds?.join(', ') ?? 'all clusters'}`,
    );
  });
}
