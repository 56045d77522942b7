/**
 * The orphan sweep on the real dev server and the emulator, over a generated account: what it finds (named and
 * nameless orphans, role orphans, recycle-bin users, on several clusters; never a live identity's kubeconfig), what a
 * dry run changes (nothing: the journal holds reads only), what a revoking sweep changes (exactly the orphans', each
 * verified), a cluster it cannot read (reported, the others swept, the result incomplete), and who may start one.
 */
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { scheduledSweepWorkflowId, sweepScheduleId } from '../../common/ids';
import { SWEEP_WORKFLOW, type SweepInput, type SweepReport, sweepSearchAttributes } from '../../common/sweep';
import { people } from '../support/trust';
import { emulatorState, journal, resetWorld, setFaults, successes, type Unsigned } from './harness';
import {
  expectedOrphans,
  FORMER_CONTRACTOR_UID,
  generatedAccount,
  SMALL_ACCOUNT,
  startSignedSweep,
} from './sweep-support';
import { recordHistory } from './record';
import { useHarness } from './use-harness';

const account = generatedAccount();
const h = useHarness('sweep', { editFixture: account.editFixture, taskDelayMs: 200 });

beforeEach(() => resetWorld(h, []));

const READ = /^(Describe|List|Get)/;
const orphanUids = Object.keys(expectedOrphans(account.summary)).sort();

function orphansByUid(report: SweepReport): Record<string, string[]> {
  return Object.fromEntries(report.orphans.map((o) => [o.uid, o.kubeconfigs.map((k) => k.clusterId)]));
}

/** Kubeconfig states in the emulator, uid → cluster → state. */
async function kubeconfigStates(): Promise<Map<string, Map<string, string>>> {
  const state = (await emulatorState(h.emulator)) as {
    kubeconfigs: Record<string, { cluster: string; state: string }[]>;
  };
  return new Map(
    Object.entries(state.kubeconfigs).map(([uid, records]) => [uid, new Map(records.map((r) => [r.cluster, r.state]))]),
  );
}

test('a dry run finds every orphan (named, nameless, roles, in the recycle bin) on every cluster, and only reads', async () => {
  const handle = await startSignedSweep(h, { mode: 'dry-run' });
  const report = await handle.result();

  expect(report.dryRun).toBe(true);
  expect(report.complete).toBe(true);
  expect(report.clustersSkipped).toEqual([]);
  expect(report.clustersScanned).toBe(2 + account.summary.clusterIds.length);
  expect(orphansByUid(report)).toEqual(expectedOrphans(account.summary));
  expect(report.orphans.every((o) => o.outcome === 'found')).toBe(true);
  expect(report.counts).toEqual({ found: orphanUids.length, revoked: 0, verified: 0, failed: 0 });
  // Nameless ones have no name and still count; recycled ones carry RAM's dates; role orphans are roles.
  for (const uid of account.summary.namelessUids) {
    expect(report.orphans.find((o) => o.uid === uid)?.name).toBeUndefined();
  }
  for (const uid of account.summary.recycledUids) {
    expect(report.orphans.find((o) => o.uid === uid)?.recycleBin?.deleteDate).toMatch(/^\d{4}-/);
  }
  for (const uid of account.summary.roleOrphanUids) {
    expect(report.orphans.find((o) => o.uid === uid)?.type).toBe('role');
  }
  // Expired kubeconfigs of deleted identities are not orphans.
  for (const uid of Object.keys(account.summary.expired)) expect(orphanUids).not.toContain(uid);
  // Stale access: the generated users who can no longer sign in, each with a ready command.
  const stale = report.stale.filter((s) => account.summary.staleUserNames.includes(s.userName));
  expect(stale.map((s) => s.userName).sort()).toEqual([...account.summary.staleUserNames].sort());
  for (const s of stale) {
    expect(s).toMatchObject({
      why: 'disabled',
      startCommand: `offboard start --user ${s.userName} --reason departure`,
    });
  }

  const writes = (await journal(h.emulator)).filter((e) => !READ.test(e.action));
  expect(writes.map((e) => e.action)).toEqual([]);
});

test('a revoking sweep revokes and verifies every orphan and touches no live identity (the journal proves it)', async () => {
  const before = await kubeconfigStates();
  expect(before.size).toBeGreaterThan(SMALL_ACCOUNT.identities);
  const handle = await startSignedSweep(h, { mode: 'revoke' });
  const report = await handle.result();
  await recordHistory('sweep-revoke', handle);

  expect(report.complete).toBe(true);
  expect(report.counts).toEqual({
    found: orphanUids.length,
    revoked: orphanUids.length,
    verified: orphanUids.length,
    failed: 0,
  });
  expect(report.orphans.every((o) => o.outcome === 'revoked' && o.verifiedAt)).toBe(true);

  const entries = await journal(h.emulator);
  const cleaned = entries
    .filter((e) => e.action === 'CleanUserPermissions' && e.outcome === 'success')
    .map((e) => String(e.params.Uid));
  expect(cleaned.sort()).toEqual(orphanUids);
  const otherWrites = entries.filter((e) => !READ.test(e.action) && e.action !== 'CleanUserPermissions');
  expect(otherWrites.map((e) => e.action)).toEqual([]);

  const after = await kubeconfigStates();
  for (const [uid, byCluster] of before) {
    for (const [cluster, state] of byCluster) {
      const now = after.get(uid)?.get(cluster);
      if (orphanUids.includes(uid) && state === 'Unexpired') expect(now).toBe('Removed');
      else expect(now).toBe(state);
    }
  }
  // The recycle-bin users' kubeconfigs are revoked too: a restore brings no cluster access back.
  for (const uid of account.summary.recycledUids) {
    expect([...(after.get(uid)?.values() ?? [])].every((s) => s !== 'Unexpired')).toBe(true);
  }
  expect(after.get(FORMER_CONTRACTOR_UID)?.get('c-prod-1')).toBe('Removed');
});

test('a cluster the worker cannot read is reported by name; the others are swept and the result is incomplete', async () => {
  const denied = account.summary.clusterIds[1];
  const res = await fetch(`${h.emulator.url}/__emulator/clusters/${denied}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kubeconfigStatesDenied: true }),
  });
  expect(res.ok).toBe(true);
  const report = await (await startSignedSweep(h, { mode: 'revoke' })).result();

  expect(report.complete).toBe(false);
  expect(report.clustersSkipped).toEqual([expect.objectContaining({ clusterId: denied, code: 'StatusForbidden' })]);
  expect(report.outcome).toMatch(new RegExp(`^incomplete: .*skipped ${denied} \\(StatusForbidden\\)`));
  // Orphans seen on the other clusters are revoked; one seen only on the denied cluster is not found at all.
  const onlyThere = Object.entries(expectedOrphans(account.summary))
    .filter(([, clusters]) => clusters.length === 1 && clusters[0] === denied)
    .map(([uid]) => uid);
  expect(report.orphans.map((o) => o.uid).sort()).toEqual(orphanUids.filter((u) => !onlyThere.includes(u)));
  expect(report.counts.failed).toBe(0);
  expect(report.counts.revoked).toBe(report.orphans.length);
});

test('a sweep for one cluster reads only that cluster', async () => {
  const cluster = account.summary.clusterIds[0];
  const report = await (await startSignedSweep(h, { mode: 'dry-run', clusterIds: [cluster] })).result();
  expect(report.clustersScanned).toBe(1);
  const expected = Object.entries(expectedOrphans(account.summary))
    .filter(([, clusters]) => clusters.includes(cluster))
    .map(([uid]) => uid)
    .sort();
  expect(report.orphans.map((o) => o.uid).sort()).toEqual(expected);
  const listed = (await journal(h.emulator)).filter((e) => e.action === 'ListClusterKubeconfigStates');
  expect(new Set(listed.map((e) => e.params.ClusterId))).toEqual(new Set([cluster]));
});

test('only a signed request by a person allowed to sweep starts one; HR is refused before any read', async () => {
  const handle = await startSignedSweep(h, { mode: 'revoke' }, people.hrJane);
  await expect(handle.result()).rejects.toMatchObject({
    cause: { type: 'Refused', message: expect.stringMatching(/does not have the role admin or security/) },
  });
  const entries = await journal(h.emulator);
  expect(entries.filter((e) => e.action === 'ListClusterKubeconfigStates')).toEqual([]);
});

test('a schedule carries an admin grant its runs verify; the same grant on a run started by hand is refused', async () => {
  const scheduleId = `${sweepScheduleId(h.accountId)}-${Date.now()}`;
  const actionId = `${scheduledSweepWorkflowId(h.accountId)}-${Date.now()}`;
  const request: Unsigned<SweepInput> = {
    accountId: h.accountId,
    mode: 'dry-run',
    scheduleId,
    requestedBy: people.carol.subject,
    requestedByName: people.carol.name,
  };
  const authorization = await h.signer.signScheduleGrant({
    workflow: 'sweepOrphanedKubeconfigs',
    scheduleId,
    workflowId: actionId,
    request,
    person: people.carol,
    lifetimeSeconds: 3600,
  });
  const input: SweepInput = { ...request, authorization };
  const schedule = await h.client.schedule.create({
    scheduleId,
    spec: { intervals: [{ every: '24h' }] },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
    action: {
      type: 'startWorkflow',
      workflowType: SWEEP_WORKFLOW,
      workflowId: actionId,
      taskQueue: h.taskQueue,
      args: [input],
      typedSearchAttributes: sweepSearchAttributes(input),
    },
  });
  try {
    await schedule.trigger();
    const deadline = Date.now() + 30_000;
    let runId: string | undefined;
    while (!runId && Date.now() < deadline) {
      runId = (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId;
      if (!runId) await new Promise((r) => setTimeout(r, 200));
    }
    expect(runId).toMatch(new RegExp(`^${actionId.replace(/[/.]/g, '\\$&')}-`));
    const report = (await h.client.workflow.getHandle(runId as string).result()) as SweepReport;
    expect(report.scheduleId).toBe(scheduleId);
    expect(report.counts.found).toBe(orphanUids.length);

    // Copied from the schedule onto a run nobody scheduled: refused.
    const forged = await h.client.workflow.start(SWEEP_WORKFLOW, {
      workflowId: `${actionId}-2030-01-01T00:00:00Z`,
      taskQueue: h.taskQueue,
      args: [input],
    });
    await expect(forged.result()).rejects.toMatchObject({
      cause: { type: 'Refused', message: expect.stringMatching(/this run was started by no schedule/) },
    });
  } finally {
    await schedule.delete();
  }
});

test('a new schedule only reports until revokeFrom, then revokes; bad input is refused naming the field', async () => {
  const future = new Date(Date.now() + 3_600_000).toISOString();
  const early = await (await startSignedSweep(h, { mode: 'dry-run-first', revokeFrom: future })).result();
  expect(early.dryRun).toBe(true);
  expect(successes(await journal(h.emulator), 'CleanUserPermissions')).toEqual([]);

  const past = new Date(Date.now() - 1_000).toISOString();
  const later = await (await startSignedSweep(h, { mode: 'dry-run-first', revokeFrom: past })).result();
  expect(later.dryRun).toBe(false);
  expect(later.counts.revoked).toBe(orphanUids.length);

  await expect(startSignedSweep(h, { mode: 'dry-run-first' })).rejects.toThrow(
    /revokeFrom: must be an ISO-8601 date with mode dry-run-first/,
  );
  await expect(startSignedSweep(h, { mode: 'dry-run', staleAfterDays: 0 })).rejects.toThrow(
    /staleAfterDays: must be a whole number of days from 1 to 3650/,
  );
});

test('throttling and 5xx while listing a cluster are retried, not taken for an unreadable cluster', async () => {
  await setFaults(h.emulator, {
    rules: [
      { action: 'ListClusterKubeconfigStates', kind: 'throttle', count: 1 },
      { action: 'ListClusterKubeconfigStates', kind: 'server-error', count: 1 },
    ],
  });
  const report = await (await startSignedSweep(h, { mode: 'dry-run' })).result();
  expect(report.clustersSkipped).toEqual([]);
  expect(report.complete).toBe(true);
  expect(report.counts.found).toBe(orphanUids.length);
  const faulted = (await journal(h.emulator)).filter((e) => e.action === 'ListClusterKubeconfigStates' && e.fault);
  expect(faulted).toHaveLength(2);
});
