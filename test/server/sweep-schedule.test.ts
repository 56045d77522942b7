/**
 * The sweep's schedule and on-demand starts through the API, against the real server, the provider's real tokens and
 * Temporal: an admin creates the schedule (its action carries a schedule grant that verifies, for exactly its input),
 * pauses and unpauses it with a note naming who, triggers it; two sweeps of the account never overlap (a start or a
 * trigger while one runs is a 409 naming it); hr cannot sweep, security cannot schedule; bad input is a 400 naming the
 * field and the rule, before anything reaches Temporal.
 */
import { type ScheduleDescription } from '@temporalio/client';
import { type TypedSearchAttributes } from '@temporalio/common';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { scheduledSweepWorkflowId, sweepScheduleId } from '../../common/ids';
import { unsignedRequest } from '../../common/requests';
import { SearchAttributes } from '../../common/search-attributes';
import { type SweepInput, type SweepReport } from '../../common/sweep';
import { sameJson, type ScheduleGrantClaims, verifySignedToken } from '../../common/signed-token';
import { clearFaults, setFaults } from '../workflows/harness';
import { FORMER_CONTRACTOR_UID } from '../workflows/sweep-support';
import { useHarness } from '../workflows/use-harness';
import { harnessEnv, startApiServer, type ApiServer } from './api-server';

const h = useHarness('api-sweep-schedule');
let api: ApiServer;
beforeAll(async () => {
  api = await startApiServer(harnessEnv(h));
});
afterAll(async () => {
  await h.client.schedule
    .getHandle(sweepScheduleId(h.accountId))
    .delete()
    .catch(() => undefined);
  await api?.stop();
});

const scheduleId = () => sweepScheduleId(h.accountId);
const describe = (): Promise<ScheduleDescription> => h.client.schedule.getHandle(scheduleId()).describe();
/** A described schedule's action has its search attributes typed (the array form is only an input). */
const actionAttributes = (d: ScheduleDescription) => d.action.typedSearchAttributes as TypedSearchAttributes;
const scheduledBy = defineSearchAttributeKey('TemporalScheduledById', SearchAttributeType.KEYWORD);

/** Waits until visibility no longer lists an open sweep of the account (the API then starts one). */
async function noSweepRunning() {
  for (let i = 0; i < 200; i++) {
    const res = await api.call('GET', '/v1/sweeps/last', { as: 'olivia' });
    if (res.status === 200 && res.body.running === null) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('a sweep is still listed as running');
}

test('bad input is refused naming the field and the rule; nothing reaches Temporal', async () => {
  const bad: Array<[unknown, string, string]> = [
    [{ mode: 'delete-everything' }, 'mode', 'must be one of dry-run, revoke'],
    [{ mode: 'dry-run-first' }, 'mode', 'must be one of dry-run, revoke'],
    [{ staleAfterDays: 0 }, 'staleAfterDays', 'must be a whole number of days from 1 to 3650'],
    [{ staleAfterDays: 3651 }, 'staleAfterDays', 'must be a whole number of days from 1 to 3650'],
    [{ clusterIds: ['NOT A CLUSTER'] }, 'clusterIds.0', 'must start with "c"'],
  ];
  for (const [body, field, rule] of bad) {
    const res = await api.call('POST', '/v1/sweeps', { as: 'sam', body });
    expect({ body, status: res.status }).toEqual({ body, status: 400 });
    const errors = res.body.errors as Array<{ field: string; rule: string }>;
    expect(errors).toEqual([expect.objectContaining({ field, rule: expect.stringContaining(rule) })]);
  }
  for (const every of ['30m', '31d', 'daily', 60_000]) {
    const res = await api.call('PUT', '/v1/sweeps/schedule', { as: 'carol', body: { every } });
    expect({ every, status: res.status }).toEqual({ every, status: 400 });
    expect(res.body.detail).toContain('every: must be a duration from 1 hour to at most 30 days');
  }
  const mode = await api.call('PUT', '/v1/sweeps/schedule', { as: 'carol', body: { mode: 'sometimes' } });
  expect(mode.status).toBe(400);
  expect(mode.body.detail).toContain('mode: must be one of dry-run, revoke, dry-run-first');
  expect((await api.call('GET', '/v1/sweeps/schedule', { as: 'olivia' })).status).toBe(404);
});

test('roles: hr cannot sweep, security cannot schedule, nobody but an admin pauses or triggers', async () => {
  const refused = async (as: 'hr-jane' | 'sam' | 'olivia', method: string, path: string, role: string) => {
    const res = await api.call(method, path, { as, body: {} });
    expect({ as, path, status: res.status, missingRole: res.body.missingRole }).toEqual({
      as,
      path,
      status: 403,
      missingRole: role,
    });
  };
  await refused('hr-jane', 'POST', '/v1/sweeps', 'admin or security');
  await refused('olivia', 'POST', '/v1/sweeps', 'admin or security');
  for (const as of ['sam', 'hr-jane', 'olivia'] as const) {
    await refused(as, 'PUT', '/v1/sweeps/schedule', 'admin');
    await refused(as, 'POST', '/v1/sweeps/schedule/pause', 'admin');
    await refused(as, 'POST', '/v1/sweeps/schedule/unpause', 'admin');
    await refused(as, 'POST', '/v1/sweeps/schedule/trigger', 'admin');
  }
  expect((await api.call('GET', '/v1/sweeps/schedule', { as: 'bob' })).body.missingRole).toBe(
    'hr or admin or security or oncall',
  );
});

test('the schedule: created with a grant that verifies for its input, paused, unpaused, updated', async () => {
  const created = await api.call('PUT', '/v1/sweeps/schedule', { as: 'carol', body: {} });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({
    scheduleId: scheduleId(),
    every: '1 day',
    mode: 'dry-run-first',
    paused: false,
    note: 'created by Carol (carol)',
    grant: { signedBy: 'carol', expired: false },
    taskQueue: h.taskQueue,
  });
  const expiresInDays = (Date.parse((created.body.grant as { expiresAt: string }).expiresAt) - Date.now()) / 86_400_000;
  expect(Math.round(expiresInDays)).toBe(90);

  // Temporal describes it so: every day, overlap SKIP, the sweep workflow on the API's task queue.
  const d = await describe();
  expect(d.spec.intervals).toEqual([expect.objectContaining({ every: 86_400_000 })]);
  expect(d.policies.overlap).toBe('SKIP');
  expect(d.action).toMatchObject({
    workflowType: 'sweepOrphanedKubeconfigs',
    workflowId: scheduledSweepWorkflowId(h.accountId),
    taskQueue: h.taskQueue,
  });
  expect(actionAttributes(d).get(SearchAttributes.reason)).toBe('sweep');
  expect(actionAttributes(d).get(SearchAttributes.account)).toBe(h.accountId);
  expect(actionAttributes(d).get(SearchAttributes.stage)).toBe('Scanning');

  // The action's input: what the admin asked, and a schedule grant over exactly that, bound to this schedule.
  const input = d.action.args?.[0] as SweepInput;
  expect(unsignedRequest(input)).toEqual({
    accountId: h.accountId,
    mode: 'dry-run-first',
    revokeFrom: expect.any(String),
    scheduleId: scheduleId(),
    requestedBy: 'carol',
    requestedByName: 'Carol',
  });
  // dry-run-first: runs that start within the first interval only report.
  expect(Math.round((Date.parse(input.revokeFrom!) - Date.now()) / 3_600_000)).toBe(24);
  const verified = verifySignedToken(input.authorization, [{ kid: h.key.kid, x: h.key.x }], h.issuer);
  expect(verified.ok).toBe(true);
  const claims = (verified as { claims: ScheduleGrantClaims }).claims;
  expect(claims).toMatchObject({
    kind: 'schedule',
    workflow: 'sweepOrphanedKubeconfigs',
    scheduleId: scheduleId(),
    workflowId: scheduledSweepWorkflowId(h.accountId),
    sub: 'carol',
    roles: ['admin'],
  });
  expect(sameJson(claims.request, unsignedRequest(input))).toBe(true);

  // Paused with a note naming who: Temporal says so, and so does the API.
  const paused = await api.call('POST', '/v1/sweeps/schedule/pause', {
    as: 'dave',
    body: { note: 'change freeze until Monday' },
  });
  expect(paused.status).toBe(200);
  expect(paused.body).toMatchObject({ paused: true, note: 'paused by Dave (dave): change freeze until Monday' });
  expect((await describe()).state).toMatchObject({
    paused: true,
    note: 'paused by Dave (dave): change freeze until Monday',
  });

  // An update while paused keeps it paused, re-signs the grant for the admin who updated, keeps the mode.
  const updated = await api.call('PUT', '/v1/sweeps/schedule', { as: 'dave', body: { every: '12h' } });
  expect(updated.status).toBe(200);
  expect(updated.body).toMatchObject({
    every: '12 hours',
    mode: 'dry-run-first',
    paused: true,
    grant: { signedBy: 'dave' },
  });
  const renewed = (await describe()).action.args?.[0] as SweepInput;
  expect(renewed.requestedBy).toBe('dave');
  expect(renewed.revokeFrom).toBe(input.revokeFrom);
  expect(renewed.authorization).not.toBe(input.authorization);

  const unpaused = await api.call('POST', '/v1/sweeps/schedule/unpause', { as: 'carol', body: {} });
  expect(unpaused.body).toMatchObject({ paused: false, note: 'unpaused by Carol (carol)' });
  const state = await describe();
  expect(state.state.paused).toBe(false);
  expect(state.info.nextActionTimes.length).toBeGreaterThan(0);

  const shown = await api.call('GET', '/v1/sweeps/schedule', { as: 'olivia' });
  expect(shown.status).toBe(200);
  expect(shown.body).toMatchObject({ every: '12 hours', paused: false, grant: { signedBy: 'dave' } });
});

/** Holds every sweep in its first read (each DescribeClustersV1 answers 3 s late, within the SDK's timeout) until `release`. */
const hold = () =>
  setFaults(h.emulator, { rules: [{ action: 'DescribeClustersV1', kind: 'latency', latencyMs: 3_000 }] });
const release = () => clearFaults(h.emulator);

test('triggered: the scheduled run verifies its grant and reports; two sweeps never overlap', async () => {
  await hold();
  const triggered = await api.call('POST', '/v1/sweeps/schedule/trigger', { as: 'carol' });
  expect(triggered.status).toBe(202);
  const workflowId = triggered.body.workflowId as string;
  expect(workflowId.startsWith(`${scheduledSweepWorkflowId(h.accountId)}-`)).toBe(true);
  const run = await h.client.workflow.getHandle(workflowId).describe();
  expect(run.typedSearchAttributes.get(scheduledBy)).toBe(scheduleId());
  expect(run.typedSearchAttributes.get(SearchAttributes.reason)).toBe('sweep');
  expect(run.status.name).toBe('RUNNING');

  // While it runs: a second trigger and an on-demand sweep are refused, naming it; its progress is shown.
  const again = await api.call('POST', '/v1/sweeps/schedule/trigger', { as: 'carol' });
  expect(again.status).toBe(409);
  expect(again.body).toMatchObject({ refusal: 'SweepRunning', runningWorkflowId: workflowId });
  const now = await api.call('POST', '/v1/sweeps', { as: 'sam', body: { mode: 'dry-run' } });
  expect(now.status).toBe(409);
  expect(now.body).toMatchObject({ refusal: 'SweepRunning', runningWorkflowId: workflowId });
  expect(now.body.detail).toContain('Nothing was started');
  const progress = await api.call('GET', '/v1/sweeps/last', { as: 'olivia' });
  expect(progress.body).toMatchObject({
    report: null,
    running: { workflowId, scheduled: true, progress: { stage: 'Scanning' } },
  });

  // Released, the run (started by the schedule, with the admin's grant) completes: a dry run in its first interval.
  await release();
  const report = (await h.client.workflow.getHandle(workflowId).result()) as SweepReport;
  expect(report).toMatchObject({ workflowId, scheduleId: scheduleId(), dryRun: true, complete: true });
  expect(report.orphans.map((o) => o.uid)).toContain(FORMER_CONTRACTOR_UID);
  const last = await api.call('GET', '/v1/sweeps/last', { as: 'olivia' });
  expect(last.body).toMatchObject({ running: null, report: { workflowId, dryRun: true } });
  const shown = await api.call('GET', '/v1/sweeps/schedule', { as: 'olivia' });
  expect((shown.body.recentRuns as Array<{ workflowId: string; execution: string }>)[0]).toMatchObject({
    workflowId,
    execution: 'COMPLETED',
  });
});

test('on demand: started for the person, signed for its id; a second start while it runs is refused', async () => {
  await noSweepRunning();
  await hold();
  const started = await api.call('POST', '/v1/sweeps', {
    as: 'sam',
    body: { mode: 'dry-run', clusterIds: ['c-prod-1'], staleAfterDays: 30 },
  });
  expect(started.status).toBe(201);
  const workflowId = started.body.workflowId as string;
  expect(workflowId.startsWith(`sweep/${h.accountId}/on-demand-`)).toBe(true);
  const handle = h.client.workflow.getHandle(workflowId);
  const run = await handle.describe();
  expect(run.typedSearchAttributes.get(SearchAttributes.requestedBy)).toBe('sam');
  expect(run.typedSearchAttributes.get(SearchAttributes.reason)).toBe('sweep');
  expect(run.status.name).toBe('RUNNING');

  const second = await api.call('POST', '/v1/sweeps', { as: 'carol', body: { mode: 'revoke' } });
  expect(second.status).toBe(409);
  expect(second.body).toMatchObject({ refusal: 'SweepRunning', runningWorkflowId: workflowId });
  const trigger = await api.call('POST', '/v1/sweeps/schedule/trigger', { as: 'carol' });
  expect(trigger.status).toBe(409);
  expect(trigger.body).toMatchObject({ refusal: 'SweepRunning', runningWorkflowId: workflowId });

  // Its signed request verifies in the run: it completes, the newest report, for exactly the cluster asked.
  await release();
  const report = (await handle.result()) as SweepReport;
  expect(report).toMatchObject({ workflowId, dryRun: true, clustersScanned: 1 });
  expect(report.scheduleId).toBeUndefined();
  const last = await api.call('GET', '/v1/sweeps/last', { as: 'sam' });
  expect(last.body).toMatchObject({ running: null, report: { workflowId } });
});
