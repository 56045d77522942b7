import { Option } from 'commander';
import { checkOffboardInput, type OffboardIdentityInput, type OffboardReason, OffboardReasons } from '../../common';
import { type CommandModule } from '../command';
import { accountSettings } from '../config';
import { type Ctx } from '../context';
import { ExitCode } from '../errors';
import {
  checkActor,
  checkClusters,
  checkText,
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
import { fields } from '../output';
import { nextSteps, waitingFor } from '../render';
import { startOffboarding } from '../start-run';

export interface StartFlags extends TargetFlags {
  reason: OffboardReason;
  requestedBy: string;
  ticket?: string;
  comment?: string;
  cluster?: string[];
  deleteNotBefore?: string;
  wait?: boolean;
  waitTimeout: number;
}

export const start: CommandModule<StartFlags> = {
  description:
    'Start offboarding a RAM user or role. Prints the run id. A second start for the same identity joins the ' +
    'running offboarding. With --wait, follows the stages until the run waits for a human or ends.',
  options: [
    userOption(),
    roleOption(),
    new Option('--reason <reason>', 'why').choices(OffboardReasons).makeOptionMandatory(),
    new Option(
      '--requested-by <who>',
      'who asks (HR person or system); may not also approve the deletion',
    ).makeOptionMandatory(),
    new Option('--ticket <id>', 'the HR ticket, recorded with the request'),
    new Option('--comment <text>', 'free text shown to the approvers'),
    clusterOption(),
    new Option('--delete-not-before <iso>', 'delete no earlier than this ISO-8601 time, even if approved before'),
    new Option('--wait', 'follow the stages until the run waits for a human or ends'),
    new Option('--wait-timeout <duration>', 'stop following after this long (the run goes on)')
      .default(15 * 60_000, '15m')
      .argParser(durationArg),
  ],
  action: startOffboardingRun,
};

async function startOffboardingRun(ctx: Ctx, flags: StartFlags): Promise<ExitCode> {
  const target = requireTarget(flags);
  checkActor('--requested-by', flags.requestedBy);
  if (flags.ticket !== undefined) checkActor('--ticket', flags.ticket);
  checkText('--comment', flags.comment, false);
  checkClusters(flags.cluster);
  const { accountId, workerIdentity } = accountSettings(ctx.env);
  const comment = [flags.ticket ? `ticket ${flags.ticket}` : undefined, flags.comment].filter(Boolean).join(' — ');
  const input: OffboardIdentityInput = {
    accountId,
    target,
    requestedBy: flags.requestedBy,
    reason: flags.reason,
    comment: comment || undefined,
    clusterIds: flags.cluster,
    deleteNotBefore: flags.deleteNotBefore,
  };

  // The workflow's own input rules, checked here first so that bad input never reaches Temporal.
  const problems = checkOffboardInput(input, { workerIdentity });
  if (problems.length) throw inputProblemsError(problems, (f) => flagOfInputField(f, flags));

  const session = await ctx.temporal();
  const started = await startOffboarding(session, input, workerIdentity);
  const { run, joined } = started;
  const ref = `${target.type}/${target.name}`;
  const headline = joined
    ? `An offboarding of ${ref} was already running; joined it (nothing new was started).`
    : `Started the offboarding of ${ref}.`;
  const data = { workflowId: run.workflowId, runId: run.info.runId, joined };

  if (!flags.wait) {
    ctx.out.result(
      data,
      [
        headline,
        fields([
          ['Run', run.workflowId],
          ['Follow', `offboard status ${run.workflowId}`],
        ]),
      ].join('\n'),
    );
    return ExitCode.Ok;
  }

  ctx.out.progress(`${headline}\nRun: ${run.workflowId}\nFollowing its stages (Ctrl-C stops following, not the run):`);
  const { status, transitions } = await follow(ctx, session, run, flags.waitTimeout);
  const steps = nextSteps(run.workflowId, status);
  ctx.out.result(
    { ...data, stage: status.stage, pendingDecision: status.pendingDecision, details: status.details, transitions },
    [
      '',
      status.pendingDecision
        ? `The run waits for ${waitingFor[status.pendingDecision]}.`
        : `The run ended: ${status.stage} — ${status.outcome ?? status.details}`,
      ...(steps.length ? ['Next:', ...steps.map((s) => `  ${s}`)] : []),
    ].join('\n'),
  );
  return status.pendingDecision === 'blocked' ? ExitCode.Stopped : ExitCode.Ok;
}
