import { ApplicationFailure } from '@temporalio/workflow';
import { formatInputProblems, FailureType } from '../common/errors';
import { checkRevokeInput } from '../common/inputs';
import { OffboardingStage } from '../common/stages';
import { type RevokeKubeconfigInput, type RunResult } from '../common/types';
import { revoke, verifyRevocation } from './revocation';
import { Run, RunEnded } from './run';

/**
 * Incident response for a leaked kubeconfig: revoke now (one identity, all or some clusters), verify, done. No
 * approval and no deletion. Only the calls needed before the clean are made (name → uid), because the time from
 * request to revocation is what matters here.
 */
export async function revokeKubeconfig(input: RevokeKubeconfigInput): Promise<RunResult> {
  const run = new Run('revokeKubeconfig', input);
  run.registerHandlers();
  return run.main(async () => {
    const early = checkRevokeInput(input);
    if (early.length > 0)
      throw ApplicationFailure.nonRetryable(`invalid input: ${formatInputProblems(early)}`, FailureType.InvalidInput);
    const policy = await run.act('loadRunPolicy', 'Load admins and the worker identity from configuration');
    run.status.admins = policy.admins;
    const problems = checkRevokeInput(input, { workerIdentity: policy.workerIdentity });
    if (input.accountId !== policy.accountId)
      problems.push({ field: 'accountId', rule: `must be the account this worker serves (${policy.accountId})` });
    if (problems.length > 0)
      throw ApplicationFailure.nonRetryable(
        `invalid input: ${formatInputProblems(problems)}`,
        FailureType.InvalidInput,
      );
    run.audit('start', 'info', `requested by ${input.requestedBy} (${input.reason})`, undefined, input.requestedBy);

    run.transition(OffboardingStage.Inventory, `Resolving ${run.targetRef} to its uid`);
    const resolved = await run.step('resolveIdentity', () =>
      run.act('resolveIdentity', `Resolve ${run.targetRef}`, { accountId: input.accountId, target: input.target }),
    );
    let uids: string[];
    if (resolved.exists) {
      uids = ['uid' in resolved ? resolved.uid : resolved.inventory.uid];
    } else {
      uids = [...new Set(resolved.leftoverKubeconfigs.map((k) => k.uid).filter(Boolean))];
      run.audit(
        'resolve',
        'info',
        `${run.targetRef} is not in RAM; ${resolved.leftoverKubeconfigs.length} leftover kubeconfig(s)`,
        resolved.requestIds,
      );
      if (uids.length === 0)
        throw new RunEnded(OffboardingStage.AlreadyGone, `${run.targetRef} does not exist and has no kubeconfig left`);
    }
    const force = input.force ?? true;
    for (const uid of uids) {
      run.setUid(uid);
      const clean = await revoke(run, { uid, target: input.target, clusterIds: input.clusterIds, force });
      await verifyRevocation(run, { uid, target: input.target, taskId: clean.taskId, clusterIds: input.clusterIds });
    }
    return run.finish(
      OffboardingStage.Revoked,
      `kubeconfigs of ${run.targetRef} revoked and verified on ${input.clusterIds?.join(', ') ?? 'all clusters'}`,
    );
  });
}
