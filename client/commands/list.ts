import { type WorkflowExecutionInfo } from '@temporalio/client';
import { Option } from 'commander';
import { identityRef, OffboardingStage, SearchAttributes } from '../../common';
import { type CommandModule } from '../command';
import { accountSettings } from '../config';
import { type Ctx } from '../context';
import { badInput, ExitCode } from '../errors';
import { checkActor, positiveInt, roleOption, targetFromFlags, type TargetFlags, userOption } from '../flags';
import { table } from '../output';
import { shortTime } from '../render';
import { temporalError } from '../temporal';

export interface ListFlags extends TargetFlags {
  stage?: string;
  requestedBy?: string;
  open?: boolean;
  allAccounts?: boolean;
  limit: number;
}

/**
 * The visibility query for the flags. Every value put in it was checked against a strict pattern first (stage
 * names, actor and RAM-name rules), so no quote can reach the query.
 */
export function listQuery(flags: ListFlags, accountId: string | undefined): string {
  const clauses = [`WorkflowType IN ('offboardIdentity', 'revokeKubeconfig')`];
  if (accountId !== undefined) clauses.push(`${SearchAttributes.account.name} = '${accountId}'`);
  if (flags.stage !== undefined) clauses.push(`${SearchAttributes.stage.name} = '${flags.stage}'`);
  if (flags.requestedBy !== undefined) clauses.push(`${SearchAttributes.requestedBy.name} = '${flags.requestedBy}'`);
  const target = targetFromFlags(flags);
  if (target) clauses.push(`${SearchAttributes.target.name} = '${identityRef(target.type, target.name)}'`);
  if (flags.open) clauses.push(`ExecutionStatus = 'Running'`);
  return clauses.join(' AND ');
}

function row(info: WorkflowExecutionInfo) {
  const sa = info.typedSearchAttributes;
  return {
    workflowId: info.workflowId,
    workflow: info.type,
    stage: sa.get(SearchAttributes.stage),
    target: sa.get(SearchAttributes.target),
    uid: sa.get(SearchAttributes.uid),
    requestedBy: sa.get(SearchAttributes.requestedBy),
    reason: sa.get(SearchAttributes.reason),
    execution: info.status.name,
    startTime: info.startTime.toISOString(),
    closeTime: info.closeTime?.toISOString(),
  };
}

export const list: CommandModule<ListFlags> = {
  description:
    'List offboarding and revocation runs of the configured account (OFFBOARD_ACCOUNT_ID) from Temporal ' +
    'visibility, newest first.',
  options: [
    new Option('--stage <stage>', 'only runs in this stage').choices(Object.values(OffboardingStage)),
    new Option('--requested-by <who>', 'only runs requested by this person or system'),
    userOption(),
    roleOption(),
    new Option('--open', 'only runs that have not ended'),
    new Option('--all-accounts', 'runs of every account, not only OFFBOARD_ACCOUNT_ID'),
    new Option('--limit <n>', 'at most this many runs').default(50).argParser(positiveInt),
  ],
  action: listRuns,
};

async function listRuns(ctx: Ctx, flags: ListFlags): Promise<ExitCode> {
  const stages = Object.values(OffboardingStage) as string[];
  if (flags.stage !== undefined && !stages.includes(flags.stage)) {
    throw badInput(`--stage ${JSON.stringify(flags.stage)}: must be one of ${stages.join(', ')}`);
  }
  if (flags.requestedBy !== undefined) checkActor('--requested-by', flags.requestedBy);
  if (!Number.isInteger(flags.limit) || flags.limit < 1 || flags.limit > 1000) {
    throw badInput('--limit: must be a whole number from 1 to 1000');
  }
  // The runs of the configured account (as --user/--role elsewhere), unless asked for every account.
  const accountId = flags.allAccounts ? undefined : accountSettings(ctx.env).accountId;
  const query = listQuery(flags, accountId);
  const session = await ctx.temporal();
  const rows: ReturnType<typeof row>[] = [];
  try {
    for await (const info of session.client.workflow.list({ query, pageSize: Math.min(flags.limit, 100) })) {
      rows.push(row(info));
      if (rows.length >= flags.limit) break;
    }
  } catch (err) {
    throw temporalError(err, session.config, 'list runs');
  }
  const human =
    rows.length === 0
      ? `No runs match (${query}).`
      : [
          table(
            ['run', 'stage', 'requested by', 'reason', 'started', 'execution'],
            rows.map((r) => [
              r.workflowId,
              r.stage,
              r.requestedBy,
              r.reason,
              shortTime(r.startTime),
              r.execution.toLowerCase(),
            ]),
          ),
          `${rows.length} run(s)${rows.length >= flags.limit ? ` (the first ${flags.limit}; raise --limit for more)` : ''}.`,
        ].join('\n');
  ctx.out.result({ query, runs: rows }, human);
  return ExitCode.Ok;
}
