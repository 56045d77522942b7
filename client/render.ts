import { isTerminalStage } from '../common/stages';
import { type AuditEntry, type Decision, type RunStatus } from '../common/types';
import { type AuditDocument } from './runs';
import { fields, formatTime, indent, table } from './output';
import { oneLine } from './printable';

/**
 * Human renderings of a run's status and audit trail. The JSON forms are the data itself. Every text the run holds
 * that a person typed or named (requesters, deciders, comments, reasons, tickets, details) is shown on one line with
 * its control characters escaped (`oneLine`), and Output escapes the rest, so a hostile comment cannot rewrite the
 * terminal or forge a line of the status.
 */

/** The commands that move a waiting run on, for the person reading `status` (each says who may run it). */
export function nextSteps(workflowId: string, status: Pick<RunStatus, 'pendingDecision' | 'workflow'>): string[] {
  const id = quoteArg(workflowId);
  switch (status.pendingDecision) {
    case 'dependencies':
      return [
        `offboard resolve ${id} --proceed --note "why it is safe"   # an admin, not the requester`,
        `offboard resolve ${id} --abort --note "why not"   # an admin, not the requester`,
      ];
    case 'approval':
      return [
        `offboard approve ${id} [--comment TEXT]   # an admin, not the requester`,
        `offboard reject ${id} --reason TEXT [--restore-access]   # an admin, not the requester`,
      ];
    case 'blocked':
      return [
        `fix the cause, then: offboard retry ${id}   # an admin or on-call`,
        `or give up: offboard abort ${id} --reason TEXT [--restore-access]`,
      ];
    case 'failsafe':
      return [
        `offboard failsafe confirm --reason TEXT   # a second admin: not the run's approver, not its requester`,
        `or: offboard rescind ${id} --reason TEXT   # the requester or an admin`,
      ];
    case 'scheduled-deletion':
      return [`until deletion begins: offboard rescind ${id} --reason TEXT   # the requester or an admin`];
    default:
      return [];
  }
}

function quoteArg(arg: string): string {
  return /^[A-Za-z0-9._/@+=:-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export const waitingFor: Record<NonNullable<RunStatus['pendingDecision']>, string> = {
  dependencies: "an admin's decision on the dependency findings (resolve)",
  approval: "an admin's approval of the deletion (approve or reject)",
  blocked: 'on-call: a step failed and needs a fix, then retry or abort',
  'scheduled-deletion': 'the scheduled deletion time',
  failsafe:
    "a second admin's confirmation: the blast-radius failsafe paused deletions on the account (failsafe confirm)",
};

/**
 * Since when the run waits: the run records it; runs started before it did fall back to the audit entry of the
 * transition into the current stage (the workflows write `stage A → B` at every transition), else the last entry.
 */
function waitingSince(status: RunStatus): string | undefined {
  if (status.pendingSince) return status.pendingSince;
  if (status.pendingDecision === 'blocked' && status.blocked) return status.blocked.since;
  const entered = status.audit.filter((e) => e.action.endsWith(`→ ${status.stage}`));
  return (entered.at(-1) ?? status.audit.at(-1))?.time;
}

export function renderStatus(
  workflowId: string,
  status: RunStatus,
  execution: { status: string; taskQueue?: string; failure?: { type?: string; message: string } },
  now: Date,
): string {
  const target = `${status.target.type}/${status.target.name}`;
  const out: string[] = [];
  out.push(
    fields([
      ['Run', workflowId],
      ['Workflow', `${status.workflow} (${execution.status.toLowerCase()})`],
      ['Target', `${target}${status.uid ? ` (uid ${status.uid})` : ''} in account ${status.accountId}`],
      ['Requested', `by ${requester(status)}, reason ${status.reason}, ${formatTime(status.startedAt, now)}`],
      ['Ticket', oneLine(status.ticket)],
      [
        'Stage',
        status.stage + (isTerminalStage(status.stage) && status.outcome ? ` — ${oneLine(status.outcome)}` : ''),
      ],
      ['Now', isTerminalStage(status.stage) && status.details === status.outcome ? undefined : oneLine(status.details)],
      [
        'Failed',
        execution.failure ? `${execution.failure.type ?? 'failure'}: ${oneLine(execution.failure.message)}` : undefined,
      ],
      [
        'Waiting for',
        status.pendingDecision
          ? `${waitingFor[status.pendingDecision]}, since ${formatTime(waitingSince(status), now)}`
          : undefined,
      ],
      ['Approval due', status.pendingDecision === 'approval' ? formatTime(status.approvalDeadline, now) : undefined],
      ['Delete not before', status.deleteNotBefore ? formatTime(status.deleteNotBefore, now) : undefined],
      ['Audit file', auditFile(status.auditTrail)],
      ['Trusted keys', status.trustedKeyIds.length ? status.trustedKeyIds.join(', ') : undefined],
    ]),
  );

  if (status.blocked) {
    out.push(
      '',
      `Blocked at step ${status.blocked.step} (${status.blocked.failureType}) since ${formatTime(status.blocked.since, now)}:`,
      indent(status.blocked.message, '  '),
    );
  }

  const steps = nextSteps(workflowId, status);
  if (steps.length) out.push('', 'Next:', ...steps.map((s) => `  ${s}`));

  if (status.inventory) {
    const inv = status.inventory;
    out.push(
      '',
      `Inventory (when the run started):`,
      indent(
        [
          `access keys: ${inv.accessKeys} (${inv.activeAccessKeys} active); console login: ${yesNo(inv.consoleLogin)}; MFA: ${yesNo(inv.mfa)}`,
          `groups: ${inv.groups}; policies: ${inv.policies}; RBAC grants: ${inv.grants}`,
        ].join('\n'),
        '  ',
      ),
    );
    if (inv.kubeconfigs.length) {
      out.push(
        table(
          ['cluster', 'kubeconfig', 'expires'],
          inv.kubeconfigs.map((k) => [
            k.clusterName && k.clusterName !== k.clusterId ? `${k.clusterId} (${k.clusterName})` : k.clusterId,
            k.certState,
            k.certExpireTime,
          ]),
        ),
      );
    }
  }

  if (status.findings.length) {
    out.push(
      '',
      'Dependency findings:',
      table(
        ['probe', 'blocking', 'finding', 'evidence'],
        status.findings.map((f) => [
          f.probe,
          yesNo(f.blocking),
          f.summary,
          Object.entries(f.evidence)
            .map(([k, v]) => `${k}=${v}`)
            .join('\n'),
        ]),
      ),
    );
  } else if (status.inventory) {
    out.push('', 'Dependency findings: none');
  }

  if (status.verification) {
    const v = status.verification;
    out.push(
      '',
      `Revocation verified ${formatTime(v.verifiedAt, now)}: ` +
        `${v.kubeconfigs.map((k) => `${k.clusterId} ${k.certState}`).join(', ') || 'no kubeconfigs'}; ` +
        `RBAC grants left: ${v.grantsRemaining}`,
    );
  }

  if (status.decisions.length) {
    out.push(
      '',
      'Decisions:',
      table(
        ['time', 'decision', 'by', 'roles', 'reason'],
        status.decisions.map((d) => [
          shortTime(d.time),
          d.kind,
          decider(d),
          d.roles.join(', '),
          oneLine(d.reason ?? d.comment ?? d.detail),
        ]),
      ),
    );
  }

  if (status.deletedSteps.length) out.push('', `Deleted: ${status.deletedSteps.join(', ')}`);

  out.push(
    '',
    `Audit trail (${status.audit.length} entries; request ids: offboard audit ${quoteArg(workflowId)}):`,
    renderAuditTable(status.audit, { compact: true }),
  );
  return out.join('\n');
}

/** "Jane (HR) (hr-jane)": the display name for people, the subject that the run compares. */
function requester(s: Pick<RunStatus, 'requestedBy' | 'requestedByName'>): string {
  const by = oneLine(s.requestedBy) ?? '';
  return s.requestedByName && s.requestedByName !== s.requestedBy ? `${oneLine(s.requestedByName)} (${by})` : by;
}

function decider(d: Pick<Decision, 'actor' | 'actorName'>): string {
  const by = oneLine(d.actor) ?? '';
  return d.actorName && d.actorName !== d.actor ? `${oneLine(d.actorName)} (${by})` : by;
}

/** Where the run's audit trail is appended outside Temporal, how far, and whether the sink failed. */
function auditFile(trail: RunStatus['auditTrail']): string | undefined {
  if (!trail) return undefined;
  const where = trail.location ? `${oneLine(trail.location)}, ` : '';
  const failed = trail.error ? `; the last append FAILED: ${oneLine(trail.error)}` : '';
  return `${where}${trail.written} entries written${failed}`;
}

function yesNo(b: boolean): string {
  return b ? 'yes' : 'no';
}

export function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** The audit trail as a table; `compact` (in `status`) also leaves out the request ids. */
export function renderAuditTable(audit: readonly AuditEntry[], options: { compact?: boolean } = {}): string {
  if (!audit.length) return '  (empty)';
  if (options.compact) {
    return table(
      ['time', 'actor', 'action', 'outcome', 'detail'],
      audit.map((e) => [shortTime(e.time), oneLine(e.actor), oneLine(e.action), e.outcome, oneLine(e.detail)]),
    );
  }
  // The target is the run's identity on every line (shown above the table); md and json keep it.
  return table(
    ['time', 'actor', 'action', 'outcome', 'detail', 'request ids'],
    audit.map((e) => [
      shortTime(e.time),
      oneLine(e.actor),
      oneLine(e.action),
      e.outcome,
      oneLine(e.detail),
      e.requestIds?.join('\n'),
    ]),
  );
}

/** Markdown: for pasting into a ticket or a post-incident review. */
export function renderAuditMarkdown(doc: AuditDocument): string {
  const cell = (s: string | undefined) => oneLine((s ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>'));
  const lines = [
    `# Audit trail of \`${doc.workflowId}\``,
    '',
    `- Target: RAM ${doc.target.type} \`${doc.target.name}\`${doc.uid ? ` (uid ${doc.uid})` : ''}, account ${doc.accountId}`,
    `- Requested by ${requester(doc)} (${doc.reason})`,
    `- Stage: ${doc.stage}${doc.outcome ? ` — ${doc.outcome}` : ''}`,
  ];
  if (doc.decisions.length) {
    lines.push(
      '',
      "## Decisions (each signed by the API for the person; re-verified with the API's keys)",
      '',
      '| time | decision | by | roles | signature |',
      '| --- | --- | --- | --- | --- |',
      ...doc.decisions.map(
        (d) =>
          `| ${cell(d.time)} | ${cell(d.kind)} | ${cell(decider(d))} | ${cell(d.roles.join(', '))} | ${d.verified ? 'verified' : 'NOT VERIFIED'} |`,
      ),
    );
  }
  lines.push(
    '',
    '## Trail',
    '',
    '| time | actor | action | target | outcome | detail | request ids |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...doc.audit.map(
      (e) =>
        `| ${cell(e.time)} | ${cell(e.actor)} | ${cell(e.action)} | ${cell(e.target)} | ${cell(e.outcome)} | ${cell(e.detail)} | ${cell(e.requestIds?.join(', '))} |`,
    ),
  );
  return lines.join('\n');
}
