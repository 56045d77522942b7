/**
 * The sweep's schedule through the CLI, signed in with `offboard login`: an admin creates it (`offboard schedule sweep
 * --every 24h`), describes it, pauses it with a note and unpauses it (Temporal describes it so), triggers it with
 * `offboard sweep` (which says that it triggered the schedule); a second sweep while one runs is refused naming it
 * (exit 4); security cannot schedule, hr cannot sweep; bad flags are exit 2 before anything is contacted.
 */
import { scheduledSweepWorkflowId, sweepScheduleId } from '../../common/ids';
import { closeTestConnections } from '../support/temporal';
import { clearFaults, setFaults } from '../workflows/harness';
import { argv } from './argv';
import { type CliWorld, json, offboard, packagesLoadedBy, startCliWorld } from './cli-harness';

let w: CliWorld;

beforeAll(async () => {
  w = await startCliWorld('cli-sweep-schedule');
}, 120_000);
afterAll(async () => {
  await w?.h.client.schedule
    .getHandle(sweepScheduleId(w.h.accountId))
    .delete()
    .catch(() => undefined);
  await w?.stop();
  await closeTestConnections();
});

const describeSchedule = () => w.h.client.schedule.getHandle(sweepScheduleId(w.h.accountId)).describe();

test('sweep and schedule have --help, are listed, and load neither the Temporal client nor an Alibaba SDK', async () => {
  const top = await offboard({}, argv({ help: true }));
  expect(top.stdout).toMatch(/sweep \[options\]/);
  expect(top.stdout).toMatch(/schedule \[options\] <what>/);
  for (const c of ['sweep', 'schedule']) {
    const help = await offboard({}, argv(c, { help: true }));
    expect({ c, code: help.code }).toEqual({ c, code: 0 });
    expect(help.stdout).toContain(`Usage: offboard ${c}`);
    expect(help.stdout).toContain('--json');
  }
  for (const args of [argv('sweep', { last: true }), argv('schedule', 'sweep', { pause: true })]) {
    const loaded = await packagesLoadedBy(args);
    expect(loaded.filter((p) => /^(@temporalio|@alicloud)\/|^zod$|^openid-client$|^jose$/.test(p))).toEqual([]);
  }
});

test('bad flags are refused before anything is contacted (exit 2)', async () => {
  const nobody = w.nobody();
  const cases: Array<[string[], RegExp]> = [
    [argv('schedule', 'backup', { every: '24h' }), /only the sweep has a schedule/],
    [argv('schedule', 'sweep', { mode: 'revoke' }), /--mode: only with --every/],
    [argv('schedule', 'sweep', { note: 'why' }), /--note: only with --pause or --unpause/],
    [argv('sweep', { cluster: 'NOT-A-CLUSTER' }), /--cluster "NOT-A-CLUSTER": must start with "c"/],
    [argv('sweep', { stale: true }), /--stale: only with --last/],
    [argv('sweep', { last: true, dryRun: true }), /cannot be used with/],
  ];
  for (const [args, message] of cases) {
    const r = await offboard(nobody, args);
    expect({ args, code: r.code }).toEqual({ args, code: 2 });
    expect(r.stderr).toMatch(message);
  }
});

test('roles: security cannot schedule, hr cannot sweep (exit 4, naming the role)', async () => {
  const [sam, hr] = await Promise.all([w.as('sam'), w.as('hr-jane')]);
  const scheduled = await offboard(sam, argv('schedule', 'sweep', { every: '24h' }));
  expect(scheduled.code).toBe(4);
  expect(scheduled.stderr).toContain('does not have the role admin');
  const swept = await offboard(hr, argv('sweep', { dryRun: true }));
  expect(swept.code).toBe(4);
  expect(swept.stderr).toContain('does not have the role admin or security');
  const every = await offboard(await w.as('carol'), argv('schedule', 'sweep', { every: '10m' }));
  expect(every.code).toBe(2);
  expect(every.stderr).toContain('--every: must be a duration from 1 hour to at most 30 days');
});

test('the schedule: created, described, paused with a note, unpaused, triggered; no second sweep meanwhile', async () => {
  const carol = await w.as('carol');
  const none = await offboard(carol, argv('schedule', 'sweep'));
  expect(none.code).toBe(3);
  expect(none.stderr).toContain('no sweep schedule for account');

  const created = await offboard(carol, argv('schedule', 'sweep', { every: '24h' }));
  expect(created.code).toBe(0);
  expect(created.stdout).toContain('Created the sweep schedule, with your grant.');
  expect(created.stdout).toMatch(/Every:\s+1 day/);
  expect(created.stdout).toMatch(/Mode:\s+dry-run-first/);
  expect(created.stdout).toMatch(/Grant:\s+signed by Carol \(carol\), valid until/);
  expect((await describeSchedule()).policies.overlap).toBe('SKIP');

  const paused = await offboard(carol, argv('schedule', 'sweep', { pause: true, note: 'change freeze' }));
  expect(paused.code).toBe(0);
  expect(paused.stdout).toMatch(/State:\s+PAUSED/);
  expect((await describeSchedule()).state).toMatchObject({
    paused: true,
    note: 'paused by Carol (carol): change freeze',
  });
  const olivia = await w.as('olivia');
  const described = json<{ paused: boolean; note: string; grant: { signedBy: string } }>(
    await offboard(olivia, argv('schedule', 'sweep', { json: true })),
  );
  expect(described).toMatchObject({ paused: true, note: 'paused by Carol (carol): change freeze' });

  const unpaused = await offboard(carol, argv('schedule', 'sweep', { unpause: true }));
  expect(unpaused.code).toBe(0);
  expect((await describeSchedule()).state).toMatchObject({ paused: false, note: 'unpaused by Carol (carol)' });

  // `offboard sweep` without flags triggers the schedule, and says so. The sweep is held in its first read meanwhile.
  await setFaults(w.h.emulator, { rules: [{ action: 'DescribeClustersV1', kind: 'latency', latencyMs: 12_000 }] });
  const triggered = await offboard(carol, argv('sweep', { json: true }));
  expect(triggered.code).toBe(0);
  const t = json<{ started: string; workflowId: string; mode: string }>(triggered);
  expect(t).toMatchObject({ started: 'schedule', mode: 'dry-run-first' });
  expect(t.workflowId.startsWith(`${scheduledSweepWorkflowId(w.h.accountId)}-`)).toBe(true);
  const run = await w.h.client.workflow.getHandle(t.workflowId).describe();
  expect(run.status.name).toBe('RUNNING');

  // While it runs, neither a trigger nor an on-demand sweep starts another: refused, naming it.
  for (const args of [argv('sweep'), argv('sweep', { dryRun: true })]) {
    const second = await offboard(await w.as('sam'), args);
    expect({ args, code: second.code }).toEqual({ args, code: 4 });
    expect(second.stderr).toContain(t.workflowId);
    expect(second.stderr).toContain('offboard sweep --last');
  }
  const following = await offboard(carol, argv('sweep', { last: true }));
  expect(following.code).toBe(3);
  expect(following.stderr).toContain('no sweep of account');
  expect(following.stderr).toContain(`Running now: ${t.workflowId} (scheduled`);

  // Released, it completes (its grant verified by the run): `--last` shows its report, a dry run in its first interval.
  await clearFaults(w.h.emulator);
  await w.h.client.workflow.getHandle(t.workflowId).result();
  const last = await offboard(olivia, argv('sweep', { last: true }));
  expect(last.code).toBe(0);
  expect(last.stdout).toContain(
    `Sweep ${t.workflowId} (schedule ${sweepScheduleId(w.h.accountId)}) — DRY RUN: nothing was revoked`,
  );
  expect(last.stdout).toMatch(/Result:\s+complete/);
  expect(last.stdout).toMatch(/Orphans:\s+1 found, 0 revoked, 0 verified, 0 failed/);
  expect(last.stdout).toMatch(/2034000000000099\s*│\s*former-contractor/);
  expect(last.stdout).toContain('Revoke them: offboard sweep --revoke');
  const shown = await offboard(carol, argv('schedule', 'sweep'));
  expect(shown.stdout).toMatch(new RegExp(`${t.workflowId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*completed`));
});

test('on demand with --cluster: security revokes the orphan; --last shows it revoked and verified', async () => {
  const sam = await w.as('sam');
  const r = await offboard(sam, argv('sweep', { cluster: 'c-prod-1', json: true }));
  expect(r.code).toBe(0);
  const started = json<{ started: string; workflowId: string; mode: string }>(r);
  expect(started).toMatchObject({ started: 'on-demand', mode: 'revoke' });
  await w.h.client.workflow.getHandle(started.workflowId).result();
  const last = await offboard(sam, argv('sweep', { last: true }));
  expect(last.code).toBe(0);
  expect(last.stdout).toContain(`Sweep ${started.workflowId} (on demand)`);
  expect(last.stdout).not.toContain('DRY RUN');
  expect(last.stdout).toMatch(/Clusters:\s+1 scanned, 0 skipped/);
  expect(last.stdout).toMatch(/Orphans:\s+1 found, 1 revoked, 1 verified, 0 failed/);
  expect(last.stdout).toMatch(/revoked, verified 20\d\d-/);
  const asJson = json<{ report: { workflowId: string; counts: object } }>(
    await offboard(sam, argv('sweep', { last: true, json: true })),
  );
  expect(asJson.report).toMatchObject({
    workflowId: started.workflowId,
    counts: { found: 1, revoked: 1, verified: 1, failed: 0 },
  });
});
