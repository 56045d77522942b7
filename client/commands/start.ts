import { Option } from 'commander';
import { concurrencyRule, MAX_BATCH_CONCURRENCY } from '../../common/batch';
import { type OffboardReason, OffboardReasons } from '../../common/validation';
import { type CommandModule } from '../command';
import { type Ctx } from '../context';
import { badInput, ExitCode } from '../errors';
import {
  checkActor,
  checkClusters,
  checkText,
  checkTime,
  clusterOption,
  durationArg,
  flagOfField,
  positiveInt,
  requireTarget,
  roleOption,
  type TargetFlags,
  userOption,
} from '../flags';
import { follow } from '../follow';
import { fields } from '../output';
import { nextSteps, waitingFor } from '../render';
import { type StartedRun } from '../runs';

export interface StartFlags extends TargetFlags {
  reason?: OffboardReason;
  ticket?: string;
  comment?: string;
  cluster?: string[];
  deleteNotBefore?: string;
  wait?: boolean;
  waitTimeout: number;
  fromFile?: string;
  concurrency?: number;
}

export const start: CommandModule<StartFlags> = {
  description:
    'Start offboarding a RAM user or role, as the signed-in person (HR): the requester is you, as the identity ' +
    'provider knows you, and may not also approve the deletion. Prints the run id. A second start for the same ' +
    'identity joins the running offboarding. With --wait, follows the stages until the run waits for a human or ends. ' +
    'With --from-file, starts one offboarding per line of a CSV file (a header line first: target,reason[,ticket,' +
    "comment,clusterIds,deleteNotBefore]; target is user/NAME or role/NAME), prints each line's result, exits 2 " +
    'if a line was refused, and records the lines that started next to the file: run it again to start the rest.',
  options: [
    userOption(),
    roleOption(),
    new Option('--reason <reason>', 'why (required unless --from-file)').choices(OffboardReasons),
    new Option('--ticket <id>', 'the HR ticket, recorded with the request'),
    new Option('--comment <text>', 'free text shown to the approvers'),
    clusterOption(),
    new Option('--delete-not-before <iso>', 'delete no earlier than this ISO-8601 time, even if approved before'),
    new Option('--wait', 'follow the stages until the run waits for a human or ends'),
    new Option('--wait-timeout <duration>', 'stop following after this long (the run goes on)')
      .default(15 * 60_000, '15m')
      .argParser(durationArg),
    new Option('--from-file <csv>', 'start every identity of a CSV file (see above); resumable'),
    new Option('--concurrency <n>', 'with --from-file: starts at once on the API (default 8, at most 16)').argParser(
      positiveInt,
    ),
  ],
  action: (ctx, flags) =>
    flags.fromFile !== undefined ? startFromFileFlags(ctx, flags) : startOffboardingRun(ctx, flags),
};

/** The fields of a single start, which a file's lines give with --from-file. */
const singleStartFlags = ['user', 'role', 'reason', 'ticket', 'comment', 'cluster', 'deleteNotBefore', 'wait'] as const;

async function startFromFileFlags(ctx: Ctx, flags: StartFlags): Promise<ExitCode> {
  const given = singleStartFlags.filter((f) => flags[f] !== undefined);
  if (given.length > 0) {
    const names = given.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ');
    throw badInput(`--from-file takes every field from the file: leave out ${names}`);
  }
  if (flags.concurrency !== undefined && flags.concurrency > MAX_BATCH_CONCURRENCY) {
    throw badInput(`--concurrency: ${concurrencyRule}`);
  }
  const { startFromFile } = await import('./batch');
  return startFromFile(ctx, flags.fromFile!, flags.concurrency);
}

async function startOffboardingRun(ctx: Ctx, flags: StartFlags): Promise<ExitCode> {
  // The rules the API and the run check too, checked here first; the rest (the API's account, the worker's own
  // identity) the API checks before anything reaches Temporal.
  if (flags.concurrency !== undefined) throw badInput('--concurrency is for --from-file');
  const target = requireTarget(flags);
  if (flags.reason === undefined)
    throw badInput('--reason is required (or start a CSV file of leavers with --from-file)');
  if (flags.ticket !== undefined) checkActor('--ticket', flags.ticket);
  const body = {
    target,
    reason: flags.reason,
    ticket: flags.ticket,
    comment: checkText('--comment', flags.comment, false),
    clusterIds: checkClusters(flags.cluster),
    deleteNotBefore: checkTime('--delete-not-before', flags.deleteNotBefore, ctx.io.now().getTime()),
  };
  const api = ctx.api();
  const run = await api.post<StartedRun>('/v1/offboardings', body, { flagOf: (field) => flagOfField(field, flags) });
  const ref = `${target.type}/${target.name}`;
  const headline = run.joined
    ? `An offboarding of ${ref} was already running; joined it (nothing new was started).`
    : `Started the offboarding of ${ref}.`;
  const data = { workflowId: run.workflowId, runId: run.runId, joined: run.joined };

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
  const { status, transitions } = await follow(ctx, api, run, flags.waitTimeout);
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
