import { Option } from 'commander';
import { type CommandModule } from '../command';
import { badInput, ExitCode } from '../errors';
import { type RunFlags } from '../flags';
import { renderAuditMarkdown, renderAuditTable } from '../render';
import { getAudit, resolveRun } from '../runs';

const auditFormats = ['table', 'md', 'json'] as const;
type AuditFlags = RunFlags & { format?: (typeof auditFormats)[number]; json?: boolean };

/**
 * `offboard audit`: the run's audit trail, as a table for people, Markdown for a ticket, or JSON for tools; with the
 * decisions, each with the token the API signed for the person and whether it verifies with the API's keys.
 */
export const audit: CommandModule<AuditFlags> = {
  options: [new Option('--format <format>', 'table for people, md for a ticket, json for tools').choices(auditFormats)],
  printsJson: (flags) => flags.format === 'json',
  async action(ctx, flags) {
    if (flags.json && flags.format && flags.format !== 'json') throw badInput('--json and --format md|table disagree');
    const format = flags.json ? 'json' : (flags.format ?? 'table');
    const run = await resolveRun(() => ctx.api(), flags);
    const doc = await getAudit(ctx.api(), run);
    if (format === 'json') ctx.io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
    else if (format === 'md') ctx.io.stdout(`${renderAuditMarkdown(doc)}\n`);
    else {
      const target = `${doc.target.type}/${doc.target.name}`;
      ctx.io.stdout(`Audit trail of ${run.workflowId} (${target}, ${doc.stage}):\n${renderAuditTable(doc.audit)}\n`);
    }
    return ExitCode.Ok;
  },
};
