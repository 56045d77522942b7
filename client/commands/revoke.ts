import { Option } from 'commander';
import { OffboardingStage } from '../../common/stages';
import { type OffboardReason, OffboardReasons } from '../../common/validation';
import { type CommandModule } from '../command';
import { type Ctx } from '../context';
import { ExitCode } from '../errors';
import {
  checkClusters,
  clusterOption,
  durationArg,
  flagOfField,
  requireTarget,
  roleOption,
  type TargetFlags,
  userOption,
} from '../flags';
import { follow } from '../follow';
import { fields, formatDuration } from '../output';
import { nextSteps } from '../render';
import { type StartedRun } from '../runs';

export interface RevokeFlags extends TargetFlags {
  cluster?: string[];
  reason: OffboardReason;
  timeout: number;
}

export const revoke: CommandModule<RevokeFlags> = {
  description:
    'Revoke the kubeconfigs and RBAC grants of a RAM user or role at once (no approval, nothing deleted), as the ' +
    'signed-in person (security; the requester is you), wait until the revocation is verified on every cluster, ' +
    'and print how long it took.',
  options: [
    userOption(),
    roleOption(),
    clusterOption(),
    new Option('--reason <reason>', 'why').choices(OffboardReasons).default('compromise'),
    new Option('--timeout <duration>', 'stop waiting after this long (the run goes on)')
      .default(10 * 60_000, '10m')
      .argParser(durationArg),
  ],
  action: revokeNow,
};

/**
 * Leaked-kubeconfig response: starts (or joins) revokeKubeconfig through the API, follows it until revocation is
 * verified, and says how long that took. The figure is the run's own: from its start to its verification read.
 */
async function revokeNow(ctx: Ctx, flags: RevokeFlags): Promise<ExitCode> {
  const target = requireTarget(flags);
  const clusterIds = checkClusters(flags.cluster);
  const api = ctx.api();
  const t0 = Date.now();
  const run = await api.post<StartedRun>(
    '/v1/revocations',
    { target, reason: flags.reason, clusterIds },
    { flagOf: (field) => flagOfField(field, flags) },
  );
  const ref = `${target.type}/${target.name}`;
  ctx.out.progress(
    `${run.joined ? `A revocation of ${ref} was already running; following it` : `Revoking the kubeconfigs of ${ref}`}` +
      ` on ${clusterIds?.join(', ') ?? 'all clusters'}: ${run.workflowId}`,
  );
  const { status, transitions } = await follow(ctx, api, run, flags.timeout);
  const wallMs = Date.now() - t0;
  const verifiedMs = status.verification
    ? Date.parse(status.verification.verifiedAt) - Date.parse(status.startedAt)
    : undefined;
  const data = {
    workflowId: run.workflowId,
    runId: run.runId,
    joined: run.joined,
    stage: status.stage,
    pendingDecision: status.pendingDecision,
    details: status.details,
    outcome: status.outcome,
    verification: status.verification,
    revocationMs: verifiedMs,
    waitedMs: wallMs,
    transitions,
  };

  if (status.stage === OffboardingStage.Revoked || status.stage === OffboardingStage.AlreadyGone) {
    const v = status.verification;
    ctx.out.result(
      data,
      [
        status.stage === OffboardingStage.Revoked
          ? `Revoked and verified: no kubeconfig of ${ref} is usable any more${clusterIds ? ` on ${clusterIds.join(', ')}` : ''}.`
          : `${ref} does not exist: ${status.outcome ?? status.details}`,
        fields([
          ['Run', run.workflowId],
          ['Outcome', status.stage === OffboardingStage.Revoked ? status.outcome : undefined],
          ['Clusters', v?.kubeconfigs.map((k) => `${k.clusterId} ${k.certState}`).join(', ')],
          ['RBAC grants left', v ? String(v.grantsRemaining) : undefined],
          [
            'Time to revoke',
            verifiedMs !== undefined
              ? `${formatDuration(verifiedMs)} from the request to the verified revocation`
              : undefined,
          ],
          ['Waited', formatDuration(wallMs)],
        ]),
      ].join('\n'),
    );
    return ExitCode.Ok;
  }
  const steps = nextSteps(run.workflowId, status);
  ctx.out.result(
    data,
    [
      `Not revoked yet: the run is in stage ${status.stage}. ${status.details}`,
      ...(steps.length ? ['Next:', ...steps.map((s) => `  ${s}`)] : []),
    ].join('\n'),
  );
  return ExitCode.Stopped;
}
