import { userInfo } from 'node:os';
import { Option } from 'commander';
import {
  checkRevokeInput,
  isValidActor,
  type OffboardReason,
  OffboardReasons,
  OffboardingStage,
  type RevokeKubeconfigInput,
} from '../../common';
import { type CommandModule } from '../command';
import { accountSettings } from '../config';
import { type Ctx } from '../context';
import { badInput, ExitCode } from '../errors';
import {
  checkActor,
  checkClusters,
  clusterOption,
  durationArg,
  flagOfInputField,
  inputProblemsError,
  requireTarget,
  roleOption,
  type TargetFlags,
  userOption,
} from '../flags';
import { follow } from '../follow';
import { fields, formatDuration } from '../output';
import { nextSteps } from '../render';
import { startRevocation } from '../start-run';

export interface RevokeFlags extends TargetFlags {
  cluster?: string[];
  requestedBy?: string;
  reason: OffboardReason;
  timeout: number;
}

/** Who asks, when --requested-by is not given: the login name of the person at the terminal. */
function defaultRequester(): string | undefined {
  try {
    const name = userInfo().username;
    return isValidActor(name) ? name : undefined;
  } catch {
    return undefined; // no passwd entry (some containers)
  }
}

export const revoke: CommandModule<RevokeFlags> = {
  description:
    'Revoke the kubeconfigs and RBAC grants of a RAM user or role at once (no approval, nothing deleted), wait ' +
    'until the revocation is verified on every cluster, and print how long it took.',
  options: [
    userOption(),
    roleOption(),
    clusterOption(),
    new Option('--requested-by <who>', 'who asks (default: your login name)'),
    new Option('--reason <reason>', 'why').choices(OffboardReasons).default('compromise'),
    new Option('--timeout <duration>', 'stop waiting after this long (the run goes on)')
      .default(10 * 60_000, '10m')
      .argParser(durationArg),
  ],
  action: revokeNow,
};

/**
 * Leaked-kubeconfig response: starts (or joins) revokeKubeconfig, follows it until revocation is verified, and
 * says how long that took. The figure is the run's own: from its start to its verification read.
 */
async function revokeNow(ctx: Ctx, flags: RevokeFlags): Promise<ExitCode> {
  const target = requireTarget(flags);
  checkClusters(flags.cluster);
  const requestedBy = flags.requestedBy ?? defaultRequester();
  if (requestedBy === undefined) throw badInput('--requested-by is required (your login name is not a valid actor)');
  checkActor('--requested-by', requestedBy);
  const { accountId, workerIdentity } = accountSettings(ctx.env);
  const input: RevokeKubeconfigInput = {
    accountId,
    target,
    requestedBy,
    reason: flags.reason,
    clusterIds: flags.cluster,
  };

  const problems = checkRevokeInput(input, { workerIdentity });
  if (problems.length) throw inputProblemsError(problems, (f) => flagOfInputField(f, flags));

  const session = await ctx.temporal();
  const t0 = Date.now();
  const started = await startRevocation(session, input, workerIdentity);
  const { run, joined } = started;
  const ref = `${target.type}/${target.name}`;
  ctx.out.progress(
    `${joined ? `A revocation of ${ref} was already running; following it` : `Revoking the kubeconfigs of ${ref}`}` +
      ` on ${flags.cluster?.join(', ') ?? 'all clusters'}: ${run.workflowId}`,
  );
  const { status, transitions } = await follow(ctx, session, run, flags.timeout);
  const wallMs = Date.now() - t0;
  const verifiedMs = status.verification
    ? Date.parse(status.verification.verifiedAt) - Date.parse(status.startedAt)
    : undefined;
  const data = {
    workflowId: run.workflowId,
    runId: run.info.runId,
    joined,
    stage: status.stage,
    pendingDecision: status.pendingDecision,
    details: status.details,
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
          ? `Revoked and verified: no kubeconfig of ${ref} is usable any more.`
          : `${ref} does not exist: ${status.outcome ?? status.details}`,
        fields([
          ['Run', run.workflowId],
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
