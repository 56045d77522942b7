/**
 * On-call and security through the CLI: a Blocked run found by `list`, explained by `status`, retried and aborted;
 * the dry run `plan` (really reads, provably writes nothing); `revoke` (verified, timed); `revoke-own` (signed with
 * the caller's own key).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { offboardWorkflowId } from '../../common/ids';
import { OffboardingStage } from '../../common/stages';
import { closeTestConnections } from '../support/temporal';
import {
  emulatorState,
  journal,
  resetWorld,
  setWorkerClusterAccess,
  startHarness,
  waitForStage,
  type Harness,
} from '../workflows/harness';
import { argv } from './argv';
import { eventually, json, offboard, snapshot, stateWithoutKeyUse } from './cli-harness';

let h: Harness;
let env: Record<string, string>;

beforeAll(async () => {
  h = await startHarness('cli-operations');
  env = h.env;
});
afterAll(async () => {
  await h?.stop();
  await closeTestConnections();
});
beforeEach(() => resetWorld(h, ['alice', 'bob']));

function keyOf(user: string): { id: string; secret: string } {
  const u = h.emulator.fixture.users.find((x) => x.name === user);
  const key = u?.accessKeys?.[0];
  if (!key) throw new Error(`fixture has no key for ${user}`);
  return { id: key.id, secret: key.secret };
}

const READ = /^(Get|List|Describe)/;
const alice = { user: 'alice' };

test('a Blocked run: list finds it, status explains it, retry and abort are for admins; abort ends it', async () => {
  await setWorkerClusterAccess(h.emulator, false);
  const aliceId = offboardWorkflowId(h.accountId, { type: 'user', name: 'alice' });
  const started = await offboard(
    env,
    argv('start', alice, { reason: 'departure', requestedBy: 'hr-jane', wait: true }),
  );
  // --wait stops at Blocked with exit 6: the run waits for on-call.
  expect(started.code).toBe(6);
  expect(started.stdout).toContain('Blocked');
  expect(started.stdout).toContain(`fix the cause, then: offboard retry ${aliceId} --as ADMIN`);

  const listed = await eventually(
    () => offboard(env, argv('list', { stage: 'Blocked', json: true })),
    (r) => json<{ runs: unknown[] }>(r).runs.length > 0,
  );
  expect(json(listed)).toMatchObject({
    query: expect.stringContaining("OffboardingStage = 'Blocked'"),
    runs: [{ workflowId: aliceId, stage: 'Blocked' }],
  });

  const status = await offboard(env, argv('status', alice));
  expect(status.code).toBe(0);
  expect(status.stdout).toMatch(
    /Waiting for:\s+on-call: a step failed and needs a fix, then retry or abort, since \d{4}-/,
  );
  expect(status.stdout).toMatch(/Blocked at step .* \(AccessDenied\) since/);
  expect(status.stdout).toContain('StatusForbidden');

  const before = await snapshot(h, aliceId);
  const outsider = await offboard(env, argv('retry', alice, { as: 'mallory' }));
  expect(outsider.code).toBe(4);
  expect(outsider.stderr).toContain('retry refused: "mallory" is not an admin');
  const approve = await offboard(env, argv('approve', alice, { as: 'carol' }));
  expect(approve.code).toBe(4);
  expect(approve.stderr).toContain('the run is in stage Blocked');
  expect(await snapshot(h, aliceId)).toEqual(before);

  // Retry without fixing: the step fails again and the run is Blocked again (one more denied call, no loop).
  const retried = await offboard(env, argv('retry', alice, { as: 'carol', reason: 'try again' }));
  expect(retried.code).toBe(0);
  await waitForStage(h.client.workflow.getHandle(aliceId), OffboardingStage.Blocked, 30_000, 'blocked');
  const denied = (await journal(h.emulator)).filter((e) => e.statusCode === 403);
  expect(denied).toHaveLength(2);

  const aborted = await offboard(
    env,
    argv('abort', aliceId, { as: 'dave', reason: 'needs a policy fix first', json: true }),
  );
  expect(aborted.code).toBe(0);
  expect(json(aborted)).toMatchObject({ accepted: true, update: 'abort', workflowId: aliceId });
  const end = await waitForStage(h.client.workflow.getHandle(aliceId), OffboardingStage.Aborted, 30_000);
  expect(end.outcome).toContain('needs a policy fix first');
}, 120_000);

test('plan reads the cloud and changes nothing: the journal holds only reads, the state is as it was', async () => {
  const before = await stateWithoutKeyUse(h);
  const runsBefore = (await h.client.workflow.count(`OffboardingAccount = '${h.accountId}'`)).count;
  const r = await offboard(env, argv('plan', alice));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('Dry run for user/alice');
  expect(r.stdout).toContain('deactivate access key LTAIdemoAlice000000001');
  expect(r.stdout).toMatch(/c-prod-1\s+│ Unexpired/);
  expect(r.stdout).toContain('DeleteUser alice');
  expect(r.stdout).toContain('7 days');

  const plan = json<{ exists: boolean; uid: string; revoke: { kubeconfigs: unknown[] }; delete: string[] }>(
    await offboard(env, argv('plan', alice, { json: true })),
  );
  expect(plan).toMatchObject({ exists: true, uid: '2034000000000002' });
  expect(plan.revoke.kubeconfigs).toHaveLength(2);

  const ci = await offboard(env, argv('plan', { user: 'ci-deployer' }));
  expect(ci.code).toBe(0);
  expect(ci.stdout).toMatch(/access-key-recent-use\s+│ yes/);
  expect(ci.stdout).toContain('A run would stop at DependencyCheck');

  const gone = await offboard(env, argv('plan', { user: 'nobody' }));
  expect(gone.code).toBe(3);
  expect(gone.stdout).toContain('RAM has no such user');

  const entries = await journal(h.emulator);
  expect(entries.length).toBeGreaterThan(10);
  expect(entries.filter((e) => !READ.test(e.action))).toEqual([]);
  expect(entries.every((e) => e.caller.identity === 'user/offboarding-bot')).toBe(true);
  expect(await stateWithoutKeyUse(h)).toEqual(before);
  // No run was started.
  expect((await h.client.workflow.count(`OffboardingAccount = '${h.accountId}'`)).count).toBe(runsBefore);
}, 60_000);

test('revoke: verified revocation of every kubeconfig, with the time it took', async () => {
  const bySecurity = { user: 'bob', requestedBy: 'sec-sam' };
  const r = await offboard(env, argv('revoke', bySecurity));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('Revoked and verified: no kubeconfig of user/bob is usable any more.');
  expect(r.stdout).toMatch(/Time to revoke:\s+\d+(\.\d)? (ms|s) from the request to the verified revocation/);
  expect(r.stdout).toMatch(/RBAC grants left:\s+0/);

  const cleans = (await journal(h.emulator)).filter((e) => e.action === 'CleanUserPermissions');
  expect(cleans.map((e) => [String(e.params.Force), e.outcome])).toEqual([['true', 'success']]);
  const state = (await emulatorState(h.emulator)) as { kubeconfigs: Record<string, Array<{ state: string }>> };
  expect(state.kubeconfigs['2034000000000003'].map((k) => k.state)).not.toContain('Unexpired');

  const again = json<{ joined: boolean; stage: string; revocationMs: number }>(
    await offboard(env, argv('revoke', bySecurity, { json: true })),
  );
  expect(again.stage).toBe('Revoked');
  expect(again.revocationMs).toBeGreaterThan(0);
}, 60_000);

test("revoke-own signs with the caller's own key: it revokes alice's kubeconfig on one cluster, and only hers", async () => {
  const aliceKey = keyOf('alice');
  const own = {
    ...env,
    ALIBABA_CLOUD_ACCESS_KEY_ID: aliceKey.id,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: aliceKey.secret,
  };
  const onProd = { cluster: 'c-prod-1' };
  const r = await offboard(own, argv('revoke-own', onProd));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('Revoked your kubeconfig on c-prod-1');
  expect(r.stdout + r.stderr).not.toContain(aliceKey.secret);
  const calls = (await journal(h.emulator)).filter((e) => e.action === 'RevokeK8sClusterKubeConfig');
  expect(calls).toEqual([
    expect.objectContaining({
      outcome: 'success',
      params: { ClusterId: 'c-prod-1' },
      caller: expect.objectContaining({ identity: 'user/alice' }),
    }),
  ]);
  const state = (await emulatorState(h.emulator)) as {
    kubeconfigs: Record<string, Array<{ cluster: string; state: string }>>;
  };
  const aliceProd = state.kubeconfigs['2034000000000002'].filter((k) => k.cluster === 'c-prod-1');
  expect(aliceProd.map((k) => k.state)).toContain('Removed');

  const unknownCluster = await offboard(own, argv('revoke-own', { cluster: 'c-nope' }));
  expect(unknownCluster.code).toBe(3);
  expect(unknownCluster.stderr).toContain('ErrorClusterNotFound');

  const wrongSecret = 'not-alices-secret-0123456789';
  const bad = await offboard(
    { ...own, ALIBABA_CLOUD_ACCESS_KEY_SECRET: wrongSecret },
    argv('revoke-own', onProd, { json: true }),
  );
  expect(bad.code).toBe(4);
  expect(json(bad)).toMatchObject({ error: { kind: 'refused', type: 'AccessDenied' } });
  expect(bad.stdout).not.toContain(wrongSecret);

  // No credentials of one's own at all (and no profile, no instance metadata): nothing is sent.
  const before = (await journal(h.emulator)).length;
  const none = await offboard(
    { ...env, HOME: mkdtempSync(join(tmpdir(), 'no-profile-')), ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' },
    argv('revoke-own', onProd),
  );
  expect(none.code).toBe(2);
  expect(none.stderr).toContain('no credentials of yours were found');
  expect(none.stderr).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID');
  expect((await journal(h.emulator)).length).toBe(before);
}, 60_000);
