/**
 * HR and admins through the CLI, end to end: start (and --wait), the admins' decisions as Workflow Updates —
 * refused ones (four eyes, not an admin, wrong stage) change nothing and exit 4 with the validator's reason —
 * approve, reject with restore, rescind, resolve; list, status and audit show what happened.
 */
import { offboardWorkflowId } from '../../common/ids';
import { OffboardingStage } from '../../common/stages';
import { closeTestConnections } from '../support/temporal';
import { emulatorState, journal, resetWorld, startHarness, waitForStage, type Harness } from '../workflows/harness';
import { argv, type Flags } from './argv';
import { eventually, json, offboard, snapshot } from './cli-harness';

let h: Harness;
let env: Record<string, string>;

beforeAll(async () => {
  h = await startHarness('cli-decisions');
  env = h.env;
});
afterAll(async () => {
  await h?.stop();
  await closeTestConnections();
});
beforeEach(() => resetWorld(h, ['alice', 'bob', 'ci-deployer']));

const aliceId = () => offboardWorkflowId(h.accountId, { type: 'user', name: 'alice' });
const alice = { user: 'alice' };
/** The flags of an HR start for `user`; tests add --wait, --json or other values. */
const hrStart = (user: string): Flags => ({ user, reason: 'departure', requestedBy: 'hr-jane' });

interface KeyState {
  id: string;
  status: string;
}
async function accessKeyStatus(user: string): Promise<string[]> {
  const state = (await emulatorState(h.emulator)) as { users: Array<{ name: string; accessKeys: KeyState[] }> };
  return state.users.find((u) => u.name === user)?.accessKeys.map((k) => k.status) ?? [];
}

test('start --wait, refused approvals change nothing, a second admin approves; list, status and audit tell the story', async () => {
  // carol is an admin and the requester: she must not approve her own request (four eyes).
  const started = await offboard(
    env,
    argv('start', hrStart('alice'), { requestedBy: 'carol', ticket: 'HR-1234', wait: true }),
  );
  expect(started.stderr).toBe('');
  expect(started.code).toBe(0);
  expect(started.stdout).toContain('Started the offboarding of user/alice.');
  expect(started.stdout).toContain(`Run: ${aliceId()}`);
  for (const stage of [
    'Inventory',
    'DependencyCheck',
    'Quarantine',
    'Revocation',
    'Verification',
    'AwaitingApproval',
  ]) {
    expect(started.stdout).toMatch(new RegExp(`\\d\\d:\\d\\d:\\d\\dZ\\s+${stage}\\s`));
  }
  expect(started.stdout).toContain("The run waits for an admin's approval of the deletion");
  expect(started.stdout).toContain(`offboard approve ${aliceId()} --as ADMIN`);

  // A second HR trigger joins the running run.
  const again = await offboard(env, argv('start', hrStart('alice'), { requestedBy: 'hr-bot', json: true }));
  expect(again.code).toBe(0);
  expect(json(again)).toMatchObject({ workflowId: aliceId(), joined: true });

  const before = await snapshot(h, aliceId());
  expect(before.run).toMatchObject({ stage: 'AwaitingApproval', pending: 'approval' });
  const refusals: Array<[Array<string | Flags>, string, RegExp]> = [
    [
      ['approve', alice, { as: 'carol' }],
      'FourEyes',
      /"carol" requested this offboarding and cannot also approve it \(four eyes\)/,
    ],
    [
      ['approve', aliceId(), { as: 'mallory' }],
      'NotAnAdmin',
      /"mallory" is not an admin of this run \(admins: carol, dave\)/,
    ],
    [
      ['resolve', alice, { as: 'dave', proceed: true, note: 'fine' }],
      'WrongStage',
      /resolveDependencies is accepted only while the run waits for a dependency decision; the run is in stage AwaitingApproval/,
    ],
    [['retry', alice, { as: 'dave' }], 'WrongStage', /retry is accepted only in stage Blocked/],
    [['abort', alice, { as: 'dave', reason: 'no' }], 'WrongStage', /abort is accepted only in stage Blocked/],
  ];
  for (const [command, type, message] of refusals) {
    const args = argv(...command);
    const r = await offboard(env, args);
    expect({ args, code: r.code }).toEqual({ args, code: 4 });
    expect(r.stderr).toMatch(message);
    const asJson = await offboard(env, argv(...command, { json: true }));
    expect(json(asJson)).toMatchObject({ error: { kind: 'refused', exitCode: 4, type } });
  }
  // Refused updates leave no trace in the run and make no call.
  expect(await snapshot(h, aliceId())).toEqual(before);

  const waiting = await offboard(env, argv('status', alice));
  expect(waiting.code).toBe(0);
  expect(waiting.stdout).toMatch(/Stage:\s+AwaitingApproval/);
  expect(waiting.stdout).toMatch(
    /Waiting for:\s+an admin's approval of the deletion \(approve or reject\), since \d{4}-\d\d-\d\d /,
  );
  expect(waiting.stdout).toMatch(/Approval due:\s+\d{4}-\d\d-\d\d .* \(in 7 days\)/);
  expect(waiting.stdout).toContain('Revocation verified');
  expect(waiting.stdout).toContain('c-prod-1 Removed');

  const listed = await eventually(
    () => offboard(env, argv('list', { stage: 'AwaitingApproval', requestedBy: 'carol', json: true })),
    (r) => json<{ runs: unknown[] }>(r).runs.length > 0,
  );
  expect(json(listed)).toMatchObject({
    // Scoped to the configured account, as --user is everywhere else.
    query: expect.stringContaining(`OffboardingAccount = '${h.accountId}'`),
    runs: [{ workflowId: aliceId(), stage: 'AwaitingApproval', requestedBy: 'carol', target: 'user/alice' }],
  });
  const table = await offboard(env, argv('list', alice));
  expect(table.stdout).toContain(aliceId());
  expect(table.stdout).toContain('1 run(s).');
  const otherStage = await offboard(env, argv('list', alice, { stage: 'Blocked' }));
  expect(otherStage.code).toBe(0);
  expect(otherStage.stdout).toContain('No runs match');

  const approved = await offboard(env, argv('approve', alice, { as: 'dave', comment: 'HR confirmed the last day' }));
  expect(approved.code).toBe(0);
  expect(approved.stdout).toMatch(/Accepted:\s+approveDeletion by dave/);
  await waitForStage(h.client.workflow.getHandle(aliceId()), OffboardingStage.Completed, 30_000);

  const audit = await offboard(env, argv('audit', alice, { format: 'md' }));
  expect(audit.code).toBe(0);
  expect(audit.stdout).toContain(`# Audit trail of \`${aliceId()}\``);
  expect(audit.stdout).toMatch(/\| dave \| approveDeletion \(update\) \| user\/alice \| ok \|/);
  expect(audit.stdout).toMatch(/\| workflow \| DeleteUser .*\| ok \|/);
  const auditJson = json<{ stage: string; audit: Array<{ action: string; requestIds?: string[] }> }>(
    await offboard(env, argv('audit', aliceId(), { format: 'json' })),
  );
  expect(auditJson.stage).toBe('Completed');
  // Every call the run made is in the emulator's journal under the same request id.
  const ids = new Set((await journal(h.emulator)).map((e) => e.requestId));
  const cited = auditJson.audit.flatMap((e) => e.requestIds ?? []);
  expect(cited.length).toBeGreaterThan(5);
  for (const id of cited) expect(ids).toContain(id);

  const ended = await offboard(env, argv('approve', alice, { as: 'dave' }));
  expect(ended.code).toBe(4);
  expect(ended.stderr).toContain(
    `approveDeletion refused: the run ${aliceId()} has ended (completed, stage Completed)`,
  );

  const done = await offboard(env, argv('status', aliceId()));
  expect(done.stdout).toMatch(/Stage:\s+Completed — user\/alice .* deleted after verified revocation/);
}, 120_000);

test('reject --restore-access gives alice her access back; the run ends Rejected', async () => {
  const started = await offboard(env, argv('start', hrStart('alice'), { reason: 'other', wait: true, json: true }));
  expect(started.code).toBe(0);
  expect(json(started)).toMatchObject({ stage: 'AwaitingApproval', pendingDecision: 'approval' });
  expect(await accessKeyStatus('alice')).toEqual(['Inactive']);

  const noReason = await offboard(env, argv('reject', alice, { as: 'dave', reason: '' }));
  expect(noReason.code).toBe(2);
  expect(noReason.stderr).toContain('--reason: must be a non-empty text');

  const rejected = await offboard(
    env,
    argv('reject', alice, { as: 'dave', reason: 'wrong person', restoreAccess: true }),
  );
  expect(rejected.code).toBe(0);
  const end = await waitForStage(h.client.workflow.getHandle(aliceId()), OffboardingStage.Rejected, 30_000);
  expect(end.decisions).toEqual([
    expect.objectContaining({ kind: 'rejectDeletion', actor: 'dave', reason: 'wrong person' }),
  ]);
  expect(await accessKeyStatus('alice')).toEqual(['Active']);
}, 90_000);

test('rescind by the requester before deletion: access comes back, the run ends Rescinded', async () => {
  expect((await offboard(env, argv('start', hrStart('alice'), { wait: true }))).code).toBe(0);
  const outsider = await offboard(env, argv('rescind', alice, { as: 'mallory', reason: 'oops' }));
  expect(outsider.code).toBe(4);
  expect(outsider.stderr).toContain('"mallory" is neither the requester (hr-jane) nor an admin');
  const r = await offboard(env, argv('rescind', alice, { as: 'hr-jane', reason: 'rehired' }));
  expect(r.code).toBe(0);
  await waitForStage(h.client.workflow.getHandle(aliceId()), OffboardingStage.Rescinded, 30_000);
  expect(await accessKeyStatus('alice')).toEqual(['Active']);
}, 90_000);

test("bob: his key's recent use, then Alibaba's 7-day refusal, each wait for an admin; resolve --proceed twice revokes with Force", async () => {
  const bobId = offboardWorkflowId(h.accountId, { type: 'user', name: 'bob' });
  const handle = h.client.workflow.getHandle(bobId);
  const started = await offboard(env, argv('start', hrStart('bob'), { wait: true }));
  expect(started.code).toBe(0);
  expect(started.stdout).toContain("The run waits for an admin's decision on the dependency findings (resolve)");
  expect(started.stdout).toContain(`offboard resolve ${bobId} --as ADMIN --proceed --note "why it is safe"`);

  const status = json<{ stage: string; findings: Array<{ probe: string; blocking: boolean }> }>(
    await offboard(env, argv('status', { user: 'bob', json: true })),
  );
  expect(status.stage).toBe('DependencyCheck');
  expect(status.findings).toContainEqual(expect.objectContaining({ probe: 'access-key-recent-use', blocking: true }));

  const before = await snapshot(h, bobId);
  const notAdmin = await offboard(env, argv('resolve', { user: 'bob', as: 'hr-jane', proceed: true, note: 'go' }));
  expect(notAdmin.code).toBe(4);
  expect(notAdmin.stderr).toContain('"hr-jane" is not an admin of this run');
  const approveTooEarly = await offboard(env, argv('approve', { user: 'bob', as: 'carol' }));
  expect(approveTooEarly.code).toBe(4);
  expect(approveTooEarly.stderr).toContain('approveDeletion is accepted only in stage AwaitingApproval');
  expect(await snapshot(h, bobId)).toEqual(before);

  const first = await offboard(
    env,
    argv('resolve', { user: 'bob', as: 'carol', proceed: true, note: 'his key was his own laptop' }),
  );
  expect(first.code).toBe(0);
  // Revocation without Force: Alibaba refuses (bob used c-prod-1 in the last 7 days), and the run asks again.
  await waitForStage(handle, OffboardingStage.Revocation, 30_000, 'dependencies');
  const refused = await offboard(env, argv('status', bobId));
  expect(refused.stdout).toMatch(/Stage:\s+Revocation/);
  expect(refused.stdout).toContain('7 days');
  const second = await offboard(
    env,
    argv('resolve', bobId, { as: 'dave', proceed: true, note: 'his last shift; force it' }),
  );
  expect(second.code).toBe(0);
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  const cleans = (await journal(h.emulator)).filter((e) => e.action === 'CleanUserPermissions');
  expect(cleans.map((e) => [String(e.params.Force), e.outcome])).toEqual([
    ['false', 'error'],
    ['true', 'success'],
  ]);
}, 90_000);

test('ci-deployer is still in use: resolve --abort ends the run and nothing was changed', async () => {
  const ciId = offboardWorkflowId(h.accountId, { type: 'user', name: 'ci-deployer' });
  const started = await offboard(env, argv('start', hrStart('ci-deployer'), { reason: 'other', wait: true }));
  expect(started.code).toBe(0);
  expect(started.stdout).toContain('dependency findings');
  const r = await offboard(
    env,
    argv('resolve', ciId, { as: 'dave', abort: true, note: 'the release pipeline still uses this key' }),
  );
  expect(r.code).toBe(0);
  await waitForStage(h.client.workflow.getHandle(ciId), OffboardingStage.Aborted, 30_000);
  expect(await accessKeyStatus('ci-deployer')).toEqual(['Active']);
  const writes = (await journal(h.emulator)).filter((e) => !/^(Get|List|Describe)/.test(e.action));
  expect(writes).toEqual([]);
}, 90_000);
