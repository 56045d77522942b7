/**
 * On-call and security through the CLI, signed in with `offboard login`: a Blocked run found by `list`, explained by
 * `status`, retried and aborted by on-call; the dry run `plan` through the API (really reads, provably writes
 * nothing, starts no offboarding); `revoke` (verified, timed; a cluster that does not exist is bad input, exit 2; a
 * second scope while one runs is refused naming it, exit 4); `audit --verify` of the run's audit file; `revoke-own`
 * (signed with the caller's own key, straight to Alibaba Cloud).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { offboardWorkflowId, revokeKubeconfigWorkflowId } from '../../common/ids';
import { OffboardingStage } from '../../common/stages';
import { closeTestConnections } from '../support/temporal';
import {
  emulatorState,
  journal,
  resetWorld,
  setFaults,
  setWorkerClusterAccess,
  waitForStage,
} from '../workflows/harness';
import { argv } from './argv';
import { type CliWorld, eventually, json, offboard, snapshot, startCliWorld, stateWithoutKeyUse } from './cli-harness';

let w: CliWorld;

beforeAll(async () => {
  w = await startCliWorld('cli-operations');
}, 120_000);
afterAll(async () => {
  await w?.stop();
  await closeTestConnections();
});
beforeEach(() => resetWorld(w.h, ['alice', 'bob']));

function keyOf(user: string): { id: string; secret: string } {
  const u = w.h.emulator.fixture.users.find((x) => x.name === user);
  const key = u?.accessKeys?.[0];
  if (!key) throw new Error(`fixture has no key for ${user}`);
  return { id: key.id, secret: key.secret };
}

const READ = /^(Get|List|Describe)/;
const alice = { user: 'alice' };

test('a Blocked run: list finds it, status explains it, on-call retries and aborts; others are refused', async () => {
  const [hr, olivia, carol, bob] = await Promise.all((['hr-jane', 'olivia', 'carol', 'bob'] as const).map(w.as));
  await setWorkerClusterAccess(w.h.emulator, false);
  const aliceId = offboardWorkflowId(w.h.accountId, { type: 'user', name: 'alice' });
  const started = await offboard(hr, argv('start', alice, { reason: 'departure', wait: true }));
  // --wait stops at Blocked with exit 6: the run waits for on-call.
  expect(started.code).toBe(6);
  expect(started.stdout).toContain('Blocked');
  expect(started.stdout).toContain(`fix the cause, then: offboard retry ${aliceId}`);

  const listed = await eventually(
    () => offboard(olivia, argv('list', { stage: 'Blocked', json: true })),
    (r) => json<{ runs: unknown[] }>(r).runs.length > 0,
  );
  expect(json(listed)).toMatchObject({
    query: expect.stringContaining("OffboardingStage = 'Blocked'"),
    runs: [{ workflowId: aliceId, stage: 'Blocked' }],
  });

  const status = await offboard(olivia, argv('status', alice));
  expect(status.code).toBe(0);
  expect(status.stdout).toMatch(
    /Waiting for:\s+on-call: a step failed and needs a fix, then retry or abort, since \d{4}-/,
  );
  expect(status.stdout).toMatch(/Blocked at step .* since/);

  const before = await snapshot(w.h, aliceId);
  const outsider = await offboard(bob, argv('retry', aliceId));
  expect(outsider.code).toBe(4);
  expect(outsider.stderr).toContain('This needs the role admin or oncall');
  const hrRetry = await offboard(hr, argv('retry', aliceId));
  expect(hrRetry.code).toBe(4);
  const approve = await offboard(carol, argv('approve', alice));
  expect(approve.code).toBe(4);
  expect(approve.stderr).toContain('the run is in stage Blocked');
  expect(await snapshot(w.h, aliceId)).toEqual(before);

  const retried = await offboard(olivia, argv('retry', alice, { reason: 'try again' }));
  expect(retried.code).toBe(0);
  expect(retried.stdout).toMatch(/Accepted:\s+retry by Olivia \(on-call\) \(olivia\)/);
  await waitForStage(w.h.client.workflow.getHandle(aliceId), OffboardingStage.Blocked, 30_000, 'blocked');

  const aborted = await offboard(olivia, argv('abort', aliceId, { reason: 'needs a policy fix first', json: true }));
  expect(aborted.code).toBe(0);
  expect(json(aborted)).toMatchObject({ accepted: true, update: 'abort', workflowId: aliceId });
  const end = await waitForStage(w.h.client.workflow.getHandle(aliceId), OffboardingStage.Aborted, 30_000);
  expect(end.outcome).toContain('needs a policy fix first');
  await setWorkerClusterAccess(w.h.emulator, true);
}, 120_000);

test('plan goes through the API to the worker: it reads the cloud and changes nothing, and starts no run', async () => {
  const hr = await w.as('hr-jane');
  const before = await stateWithoutKeyUse(w.h);
  const runsBefore = (await w.h.client.workflow.count(`OffboardingAccount = '${w.h.accountId}'`)).count;
  const r = await offboard(hr, argv('plan', alice));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('Dry run for user/alice');
  expect(r.stdout).toContain('deactivate access key LTAIdemoAlice000000001');
  expect(r.stdout).toMatch(/c-prod-1\s+│ Unexpired/);
  expect(r.stdout).toContain('DeleteUser alice');

  const plan = json<{ exists: boolean; uid: string; revoke: { kubeconfigs: unknown[] } }>(
    await offboard(hr, argv('plan', alice, { json: true })),
  );
  expect(plan).toMatchObject({ exists: true, uid: '2034000000000002' });
  expect(plan.revoke.kubeconfigs).toHaveLength(2);

  const gone = await offboard(hr, argv('plan', { user: 'nobody' }));
  expect(gone.code).toBe(3);
  expect(gone.stdout).toContain('RAM has no such user');
  const root = await offboard(hr, argv('plan', { user: 'root' }));
  expect(root.code).toBe(2);
  expect(root.stderr).toContain('--user: the root account cannot be offboarded');

  const entries = await journal(w.h.emulator);
  expect(entries.length).toBeGreaterThan(5);
  expect(entries.filter((e) => !READ.test(e.action))).toEqual([]);
  expect(entries.every((e) => e.caller.identity === 'user/offboarding-bot')).toBe(true);
  expect(await stateWithoutKeyUse(w.h)).toEqual(before);
  expect((await w.h.client.workflow.count(`OffboardingAccount = '${w.h.accountId}'`)).count).toBe(runsBefore);
}, 60_000);

test('revoke as security: verified and timed; a missing cluster is bad input (exit 2); audit --verify checks the file', async () => {
  const sam = await w.as('sam');
  const r = await offboard(sam, argv('revoke', { user: 'bob' }));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('Revoked and verified: no kubeconfig of user/bob is usable any more.');
  expect(r.stdout).toMatch(/Time to revoke:\s+\d+(\.\d)? (ms|s) from the request to the verified revocation/);
  expect(r.stdout).toMatch(/RBAC grants left:\s+0/);
  const state = (await emulatorState(w.h.emulator)) as { kubeconfigs: Record<string, Array<{ state: string }>> };
  expect(state.kubeconfigs['2034000000000003'].map((k) => k.state)).not.toContain('Unexpired');

  const typo = await offboard(sam, argv('revoke', { user: 'alice', cluster: ['c-prod-1', 'c-typo-1'] }));
  expect(typo.code).toBe(2);
  expect(typo.stderr).toMatch(/failed \(InvalidInput\): .*c-typo-1 does not exist/);
  expect(
    (await journal(w.h.emulator)).filter(
      (e) => /^(Update|Delete|Clean)/.test(e.action) && e.params.UserName === 'alice',
    ),
  ).toEqual([]);

  // The run's audit file, appended as it went: it verifies; an edited line breaks the chain (exit 4).
  const bobRun = revokeKubeconfigWorkflowId(w.h.accountId, { type: 'user', name: 'bob' });
  const status = json<{ auditTrail: { location: string } }>(
    await offboard(sam, argv('status', bobRun, { json: true })),
  );
  const file = status.auditTrail.location;
  const verified = await offboard(sam, argv('audit', { verify: file }));
  expect(verified.stderr).toBe('');
  expect(verified.code).toBe(0);
  expect(verified.stdout).toContain(`${file}: the audit chain verifies`);
  expect(verified.stdout).toContain('checked with the public audit keys');
  const tampered = join(mkdtempSync(join(tmpdir(), 'audit-')), 'tampered.jsonl');
  writeFileSync(tampered, readFileSync(file, 'utf8').replace('"outcome":"ok"', '"outcome":"info"'));
  const broken = await offboard(sam, argv('audit', { verify: tampered }));
  expect(broken.code).toBe(4);
  expect(broken.stdout).toMatch(/the audit chain is BROKEN at line \d+: seq \d+: the hash does not match/);
  expect(json(await offboard(sam, argv('audit', { verify: tampered, json: true })))).toMatchObject({ ok: false });
  const missing = await offboard(sam, argv('audit', { verify: `${tampered}.nope` }));
  expect(missing.code).toBe(3);
}, 90_000);

test('a second revoke with other clusters while one runs is refused naming the running run (exit 4)', async () => {
  const sam = await w.as('sam');
  // The first run is held in its first call (every GetUser answers late, below the SDK's timeout) until the faults
  // are cleared below, so it is still running when the second request comes, however slowly the CLI starts.
  await setFaults(w.h.emulator, { rules: [{ action: 'GetUser', kind: 'latency', latencyMs: 5_000 }] });
  const first = offboard(sam, argv('revoke', { user: 'alice', cluster: 'c-prod-1', json: true }));
  const runId = revokeKubeconfigWorkflowId(w.h.accountId, { type: 'user', name: 'alice' });
  // Until this revoke's run is the one running (an earlier test of this file may have left a finished run of alice).
  await eventually(
    () => offboard(sam, argv('status', runId, { json: true })),
    (r) => r.code === 0 && json<{ execution: { status: string } }>(r).execution.status === 'RUNNING',
  );
  const second = await offboard(sam, argv('revoke', { user: 'alice', cluster: 'c-staging-1' }));
  expect(second.code).toBe(4);
  expect(second.stderr).toContain(`(running: ${runId})`);
  expect(
    json(await offboard(sam, argv('revoke', { user: 'alice', cluster: 'c-staging-1', json: true }))),
  ).toMatchObject({ error: { exitCode: 4, type: 'RunScopeConflict' } });
  await setFaults(w.h.emulator, { rules: [] });
  expect((await first).code).toBe(0);
}, 90_000);

test("revoke-own signs with the caller's own key: it revokes alice's kubeconfig on one cluster, and only hers", async () => {
  const aliceKey = keyOf('alice');
  const own = {
    OFFBOARD_CS_ENDPOINT: w.h.emulator.endpoint,
    OFFBOARD_RAM_ENDPOINT: w.h.emulator.endpoint,
    ALIBABA_CLOUD_ACCESS_KEY_ID: aliceKey.id,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: aliceKey.secret,
  };
  const r = await offboard(own, argv('revoke-own', { cluster: 'c-prod-1' }));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('Revoked your kubeconfig on c-prod-1');
  expect(r.stdout + r.stderr).not.toContain(aliceKey.secret);
  const calls = (await journal(w.h.emulator)).filter((e) => e.action === 'RevokeK8sClusterKubeConfig');
  expect(calls).toEqual([
    expect.objectContaining({
      outcome: 'success',
      params: { ClusterId: 'c-prod-1' },
      caller: expect.objectContaining({ identity: 'user/alice' }),
    }),
  ]);

  const wrongSecret = 'not-alices-secret-0123456789';
  const bad = await offboard(
    { ...own, ALIBABA_CLOUD_ACCESS_KEY_SECRET: wrongSecret },
    argv('revoke-own', { cluster: 'c-prod-1', json: true }),
  );
  expect(bad.code).toBe(4);
  expect(json(bad)).toMatchObject({ error: { kind: 'refused', type: 'AccessDenied' } });
  expect(bad.stdout).not.toContain(wrongSecret);
}, 60_000);
