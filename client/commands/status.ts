import { type Ctx } from '../context';
import { badInput, ExitCode } from '../errors';
import { type TargetFlags } from '../flags';
import { renderAuditMarkdown, renderAuditTable, renderStatus } from '../render';
import { queryStatus, resolveRun } from '../runs';

export async function statusCommand(ctx: Ctx, runArg: string | undefined, flags: TargetFlags): Promise<ExitCode> {
  const session = await ctx.temporal();
  const run = await resolveRun(session, ctx.env, runArg, flags);
  const status = await queryStatus(session, run);
  const execution = { status: run.info.status.name, taskQueue: run.info.taskQueue };
  ctx.out.result(
    { workflowId: run.workflowId, runId: run.info.runId, execution, ...status },
    renderStatus(run.workflowId, status, execution, ctx.io.now()),
  );
  return ExitCode.Ok;
}

export const auditFormats = ['table', 'md', 'json'] as const;
export type AuditFormat = (typeof auditFormats)[number];

export async function auditCommand(
  ctx: Ctx,
  runArg: string | undefined,
  flags: TargetFlags & { format?: AuditFormat; json?: boolean },
): Promise<ExitCode> {
  if (flags.json && flags.format && flags.format !== 'json') throw badInput('--json and --format md|table disagree');
  const format = flags.json ? 'json' : (flags.format ?? 'table');
  const session = await ctx.temporal();
  const run = await resolveRun(session, ctx.env, runArg, flags);
  const status = await queryStatus(session, run);
  const data = {
    workflowId: run.workflowId,
    runId: run.info.runId,
    workflow: status.workflow,
    target: status.target,
    uid: status.uid,
    accountId: status.accountId,
    requestedBy: status.requestedBy,
    reason: status.reason,
    stage: status.stage,
    outcome: status.outcome,
    decisions: status.decisions,
    audit: status.audit,
  };
  if (format === 'json') ctx.io.stdout(`${JSON.stringify(data, null, 2)}\n`);
  else if (format === 'md') ctx.io.stdout(`${renderAuditMarkdown(run.workflowId, status)}\n`);
  else {
    const target = `${status.target.type}/${status.target.name}`;
    ctx.io.stdout(
      `Audit trail of ${run.workflowId} (${target}, ${status.stage}):\n${renderAuditTable(status.audit)}\n`,
    );
  }
  return ExitCode.Ok;
}
