import { Option } from 'commander';
import { type CommandModule } from '../command';
import { badInput, ExitCode } from '../errors';
import { type RunFlags } from '../flags';
import { renderAuditMarkdown, renderAuditTable } from '../render';
import { queryStatus, resolveRun } from '../runs';

const auditFormats = ['table', 'md', 'json'] as const;
type AuditFlags = RunFlags & { format?: (typeof auditFormats)[number]; json?: boolean };

/** `offboard audit`: the run's audit trail, as a table for people, Markdown for a ticket, or JSON for tools. */
export const audit: CommandModule<AuditFlags> = {
  options: [new Option('--format <format>', 'table for people, md for a ticket, json for tools').choices(auditFormats)],
  printsJson: (flags) => flags.format === 'json',
  async action(ctx, flags) {
    if (flags.json && flags.format && flags.format !== 'json') throw badInput('--json and --format md|table disagree');
    const format = flags.json ? 'json' : (flags.format ?? 'table');
    const session = await ctx.temporal();
    const run = await resolveRun(session, ctx.env, flags);
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
  },
};
