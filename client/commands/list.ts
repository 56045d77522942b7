import { Option } from 'commander';
import { OffboardingStage } from '../../common/stages';
// The API's own row type (Temporal visibility's search attributes): the server is the contract.
import type { RunRow } from '../../server/temporal/list';
import { type CommandModule } from '../command';
import { type Ctx } from '../context';
import { badInput, ExitCode } from '../errors';
import {
  checkActor,
  flagOfField,
  positiveInt,
  roleOption,
  targetFromFlags,
  type TargetFlags,
  userOption,
} from '../flags';
import { table } from '../output';
import { shortTime } from '../render';

export interface ListFlags extends TargetFlags {
  stage?: string;
  requestedBy?: string;
  open?: boolean;
  allAccounts?: boolean;
  limit: number;
}

export const list: CommandModule<ListFlags> = {
  description:
    "List offboarding and revocation runs of the API's account from Temporal visibility, newest first. Requesters " +
    'are identity provider subjects (as `offboard whoami` shows them).',
  options: [
    new Option('--stage <stage>', 'only runs in this stage').choices(Object.values(OffboardingStage)),
    new Option('--requested-by <subject>', 'only runs requested by this person or system (their subject)'),
    userOption(),
    roleOption(),
    new Option('--open', 'only runs that have not ended'),
    new Option('--all-accounts', "runs of every account, not only the API's"),
    new Option('--limit <n>', 'at most this many runs').default(50).argParser(positiveInt),
  ],
  action: listRuns,
};

async function listRuns(ctx: Ctx, flags: ListFlags): Promise<ExitCode> {
  if (flags.requestedBy !== undefined) checkActor('--requested-by', flags.requestedBy);
  if (!Number.isInteger(flags.limit) || flags.limit < 1 || flags.limit > 1000) {
    throw badInput('--limit: must be a whole number from 1 to 1000');
  }
  const target = targetFromFlags(flags);
  const { query, runs } = await ctx.api().get<{ query: string; runs: RunRow[] }>('/v1/runs', {
    query: {
      stage: flags.stage,
      requestedBy: flags.requestedBy,
      user: target?.type === 'user' ? target.name : undefined,
      role: target?.type === 'role' ? target.name : undefined,
      open: flags.open ? 'true' : undefined,
      allAccounts: flags.allAccounts ? 'true' : undefined,
      limit: String(flags.limit),
    },
    flagOf: (field) => flagOfField(field, flags),
  });
  const human =
    runs.length === 0
      ? `No runs match (${query}).`
      : [
          table(
            ['run', 'stage', 'requested by', 'reason', 'started', 'execution'],
            runs.map((r) => [
              r.workflowId,
              r.stage,
              r.requestedBy,
              r.reason,
              shortTime(r.startTime),
              r.execution.toLowerCase(),
            ]),
          ),
          `${runs.length} run(s)${runs.length >= flags.limit ? ` (the first ${flags.limit}; raise --limit for more)` : ''}.`,
        ].join('\n');
  ctx.out.result({ query, runs }, human);
  return ExitCode.Ok;
}
