import { Option } from 'commander';
import { type CommandModule } from '../command';
import { type Ctx } from '../context';
import { badInput, CliError, ExitCode } from '../errors';
import { type RunFlags, targetFromFlags } from '../flags';
import { fields } from '../output';
import { oneLine } from '../printable';
import { renderAuditMarkdown, renderAuditTable } from '../render';
import { getAudit, resolveRun } from '../runs';

const auditFormats = ['table', 'md', 'json'] as const;
type AuditFlags = RunFlags & { format?: (typeof auditFormats)[number]; json?: boolean; verify?: string };

/**
 * `offboard audit`: the run's audit trail, as a table for people, Markdown for a ticket, or JSON for tools; with the
 * decisions, each with the token the API signed for the person and whether it verifies with the API's keys.
 * `offboard audit --verify FILE` instead checks an exported audit file (the worker's JSON-lines trail) on this
 * machine: its hash chain, and its signatures with the worker's public audit keys; it contacts nothing.
 */
export const audit: CommandModule<AuditFlags> = {
  description:
    "The run's audit trail, with its decisions and whether each decision's signed token verifies. With --verify FILE: " +
    "check an audit file's hash chain and signatures (OFFBOARD_AUDIT_PUBLIC_KEYS, or in emulator mode this " +
    "installation's keys); exit 4 when it does not verify.",
  options: [
    new Option('--format <format>', 'table for people, md for a ticket, json for tools').choices(auditFormats),
    new Option('--verify <file>', 'check an audit file (JSON lines) instead: its hash chain and signatures'),
  ],
  printsJson: (flags) => flags.format === 'json',
  async action(ctx, flags) {
    if (flags.json && flags.format && flags.format !== 'json') throw badInput('--json and --format md|table disagree');
    if (flags.verify !== undefined) return verifyFile(ctx, flags);
    const format = flags.json ? 'json' : (flags.format ?? 'table');
    const run = await resolveRun(() => ctx.api(), flags);
    const doc = await getAudit(ctx.api(), run);
    if (format === 'json') ctx.io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
    else if (format === 'md') ctx.out.result(doc, renderAuditMarkdown(doc));
    else {
      const target = `${doc.target.type}/${doc.target.name}`;
      ctx.out.result(
        doc,
        `Audit trail of ${run.workflowId} (${target}, ${doc.stage}):\n${renderAuditTable(doc.audit)}`,
      );
    }
    return ExitCode.Ok;
  },
};

async function verifyFile(ctx: Ctx, flags: AuditFlags): Promise<ExitCode> {
  if (flags.run !== undefined || targetFromFlags(flags)) throw badInput('--verify FILE checks a file: give no RUN');
  if (flags.format === 'md') throw badInput('--verify prints a table or JSON: --format md does not apply');
  const file = flags.verify ?? '';
  // Loaded only here: the chain's format and the key configuration are the worker's (node:crypto, zod).
  const [{ verifyAuditFile }, { readAuditPublicKeys }] = await Promise.all([
    import('../../activities/audit-chain'),
    import('../../config/audit-keys'),
  ]);
  let keys;
  try {
    keys = readAuditPublicKeys(ctx.env);
  } catch (err) {
    throw badInput(`the audit public keys: ${(err as Error).message}`);
  }
  let result;
  try {
    result = verifyAuditFile(file, { keys });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(ExitCode.NotFound, `--verify ${file}: no such file`, 'NotFound');
    throw badInput(`--verify ${file}: cannot read it: ${(err as Error).message}`);
  }
  const runs = result.runs.map(
    (r) =>
      `${oneLine(r.workflowId)} (run ${oneLine(r.runId)}): ${r.entries} entries, ` +
      (r.signedThrough === undefined ? 'unsigned' : `signed through seq ${r.signedThrough}`),
  );
  const signatures = !keys
    ? 'not checked: no public audit keys (set OFFBOARD_AUDIT_PUBLIC_KEYS)'
    : result.signaturesUnchecked
      ? 'not checked'
      : 'checked with the public audit keys';
  const human = [
    result.ok
      ? `${file}: the audit chain verifies (${result.lines} lines).`
      : `${file}: the audit chain is BROKEN at line ${result.firstBroken?.line}: ${result.firstBroken?.reason}`,
    fields([
      ['Runs', runs.join('\n') || 'none'],
      ['Signatures', signatures],
    ]),
  ].join('\n');
  ctx.out.result({ file, keysChecked: keys !== undefined, ...result }, human);
  return result.ok ? ExitCode.Ok : ExitCode.Refused;
}
