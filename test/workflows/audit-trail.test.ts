/**
 * The audit trail outside Temporal (issue 13 items 11 and 17): each entry is appended to the audit file as the run
 * goes, chained to the one before, so a run that is terminated (or whose worker dies for good) still leaves its
 * record, and an edited file is caught by `verifyAuditFile`.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OffboardingStage } from '../../common/stages';
import { verifyAuditFile } from '../../activities/audit-chain';
import { decide, people, signalDecision } from '../support/trust';
import { offboardInput, resetWorld, startOffboard, waitForStage, waitForStatus } from './harness';
import { useHarness } from './use-harness';

const h = useHarness('audit-trail');
beforeEach(() => resetWorld(h, ['alice']));

function auditFileOf(workflowId: string, runId: string): string | undefined {
  const name = readdirSync(h.auditDir).find(
    (f) => f === `${workflowId.replace(/[^A-Za-z0-9._-]/g, '_')}__${runId}.jsonl`,
  );
  return name ? join(h.auditDir, name) : undefined;
}

test('item 17: a terminated run leaves its audit trail in the audit file, entry by entry, chained and signed', async () => {
  const { handle, workflowId, runId } = await startOffboard(h, offboardInput(h, 'alice'));
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  // A refused signal while the run waits is written out too, without waiting for the next step.
  await signalDecision(h, handle, 'approveDeletion', {}, people.bob);
  const status = await waitForStatus(
    handle,
    (s) => s.auditTrail?.written === s.audit.length && s.audit.some((e) => e.outcome === 'refused'),
    'the refused signal written out',
  );
  await handle.terminate('operator terminated the run');

  const path = auditFileOf(workflowId, runId) as string;
  expect(status.auditTrail?.location).toBe(path);
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const actions = lines.map((l) => (JSON.parse(l) as { action: string }).action);
  expect(actions).toEqual(status.audit.map((e) => e.action));
  expect(actions).toContain('approveDeletion (signal)');
  const keys = [{ kid: h.config.auditKey?.kid ?? '', x: h.config.auditKey?.x ?? '' }];
  expect(verifyAuditFile(path, { keys })).toMatchObject({
    ok: true,
    runs: [{ workflowId, runId, entries: lines.length, signedThrough: lines.length }],
  });

  // Tampering shows, at the first line it breaks.
  const tampered = join(h.auditDir, 'tampered.jsonl');
  const edit = (i: number, change: (line: Record<string, unknown>) => void) => {
    const copy = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    change(copy[i]);
    return copy;
  };
  const write = (rows: Array<Record<string, unknown>>) =>
    writeFileSync(tampered, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');

  write(edit(3, (l) => (l.detail = 'nothing happened here')));
  expect(verifyAuditFile(tampered, { keys })).toMatchObject({ ok: false, firstBroken: { line: 4 } });
  expect(verifyAuditFile(tampered, { keys }).firstBroken?.reason).toMatch(/hash does not match/);

  write(lines.filter((_, i) => i !== 5).map((l) => JSON.parse(l)));
  expect(verifyAuditFile(tampered, { keys }).firstBroken).toEqual({
    line: 6,
    reason: expect.stringMatching(/seq 7 where 6 was due/),
  });

  // Re-hashing the whole chain after an edit (without the worker's key) leaves the signatures wrong.
  const forged = edit(3, (l) => (l.detail = 'forged'));
  let prev = forged[2].hash as string;
  for (const row of forged.slice(3)) {
    row.prev = prev;
    const { hash: _h, kid: _k, sig: _s, ...body } = row;
    row.hash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    prev = row.hash as string;
  }
  write(forged);
  expect(verifyAuditFile(tampered).ok).toBe(true); // the chain alone cannot tell
  expect(verifyAuditFile(tampered, { keys }).firstBroken?.reason).toMatch(/signature does not verify/);

  // Cutting lines off the end, in the middle of an append, leaves entries that no signature covers. (Cut back to an
  // earlier signed line, it cannot show: that takes storage the worker cannot rewrite, see the README.)
  const unsigned = lines.map((l) => (JSON.parse(l) as { sig?: string }).sig === undefined);
  const cutAfter = unsigned.lastIndexOf(true);
  expect(cutAfter).toBeGreaterThan(0);
  write(lines.slice(0, cutAfter + 1).map((l) => JSON.parse(l)));
  expect(verifyAuditFile(tampered, { keys }).firstBroken?.reason).toMatch(/carry no signature/);
});

test('item 11: approve --comment is recorded in the audit trail and the audit file, with the signed decision', async () => {
  const { handle, workflowId, runId } = await startOffboard(h, offboardInput(h, 'alice'));
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  await decide(h, handle, 'approveDeletion', { comment: 'confirmed with HR-1234' }, people.carol);
  const result = await handle.result();
  expect(result.stage).toBe(OffboardingStage.Completed);
  const approval = result.audit.find((e) => e.action === 'approveDeletion (update)');
  expect(approval).toMatchObject({ actor: 'carol', detail: 'confirmed with HR-1234', token: expect.any(String) });
  const file = readFileSync(auditFileOf(workflowId, runId) as string, 'utf8');
  const line = file
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { action: string; detail?: string; actor: string })
    .find((e) => e.action === 'approveDeletion (update)');
  expect(line).toMatchObject({ actor: 'carol', detail: 'confirmed with HR-1234' });
});
