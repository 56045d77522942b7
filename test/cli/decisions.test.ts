/**
 * HR and admins through the CLI, end to end, each person signed in with `offboard login`: hr-jane starts (and
 * --wait follows) an offboarding, carol approves it. Refused decisions — a missing role (403, naming it), the
 * requester deciding on their own request (four eyes), a decision in the wrong stage — change nothing and exit 4 with
 * the server's reason. Reject with restore, rescind by the requester, resolve; list, status and audit show who did
 * what, each decision with its verified signature.
 */
import { offboardWorkflowId } from '../../common/ids';
import { OffboardingStage } from '../../common/stages';
import { closeTestConnections } from '../support/temporal';
import { emulatorState, journal, resetWorld, waitForStage } from '../workflows/harness';
import { argv, type Flags } from './argv';
import { type CliWorld, eventually, json, offboard, snapshot, startCliWorld } from './cli-harness';

let w: CliWorld;

beforeAll(async () => {
  // Admins are in HR as well here: dave can request an offboarding, and must then not decide on it.
  w = await startCliWorld('cli-decisions', {
    OFFBOARD_ROLE_GROUPS: 'hr=hr,admin;admin=admin;security=security;oncall=oncall',
  });
}, 120_000);
afterAll(async () => {
  await w?.stop();
  await closeTestConnections();
});
beforeEach(() => resetWorld(w.h, ['alice', 'bob', 'ci-deployer']));

const idOf = (user: string) => offboardWorkflowId(w.h.accountId, { type: 'user', name: user });
const alice = { user: 'alice' };
const hrStart = (user: string): Flags => ({ user, reason: 'departure' });

interface KeyState {
  id: string;
  status: string;
}
async function accessKeyStatus(user: string): Promise<string[]> {
  const state = (await emulatorState(w.h.emulator)) as { users: Array<{ name: string; accessKeys: KeyState[] }> };
  return state.users.find((u) => u.name === user)?.accessKeys.map((k) => k.status) ?? [];
}

test('hr-jane starts with --wait; refused decisions change nothing; carol approves; list, status and audit tell the story', async () => {
  const [hr, carol, bob, olivia] = await Promise.all(
    (['hr-jane', 'carol', 'bob', 'olivia'] as const).map((p) => w.as(p)),
  );
  const started = await offboard(hr, argv('start', hrStart('alice'), { ticket: 'HR-1234', wait: true }));
  expect(started.stderr).toBe('');
  expect(started.code).toBe(0);
  expect(started.stdout).toContain('Started the offboarding of user/alice.');
  expect(started.stdout).toContain(`Run: ${idOf('alice')}`);
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
  expect(started.stdout).toContain(`offboard approve ${idOf('alice')} [--comment TEXT]`);

  // A second start for the same identity joins the running run.
  const again = await offboard(hr, argv('start', hrStart('alice'), { json: true }));
  expect(again.code).toBe(0);
  expect(json(again)).toMatchObject({ workflowId: idOf('alice'), joined: true });

  const before = await snapshot(w.h, idOf('alice'));
  expect(before.run).toMatchObject({ stage: 'AwaitingApproval', pending: 'approval' });
  const refusals: Array<[Record<string, string>, Array<string | Flags>, string, RegExp]> = [
    [hr, ['approve', alice], 'Forbidden', /This needs the role admin/],
    // Named by --user, bob is refused the lookup already (it needs a role that reads); by its id, the approval.
    [bob, ['approve', alice], 'Forbidden', /This needs the role hr or admin or security or oncall/],
    [bob, ['approve', idOf('alice')], 'Forbidden', /This needs the role admin/],
    [olivia, ['approve', idOf('alice')], 'Forbidden', /This needs the role admin/],
    [carol, ['resolve', alice, { proceed: true, note: 'fine' }], 'WrongStage', /the run is in stage AwaitingApproval/],
    [carol, ['retry', alice], 'WrongStage', /retry is accepted only in stage Blocked/],
    [carol, ['abort', alice, { reason: 'no' }], 'WrongStage', /abort is accepted only in stage Blocked/],
  ];
  for (const [who, command, type, message] of refusals) {
    const args = argv(...command);
    const r = await offboard(who, args);
    expect({ args, code: r.code }).toEqual({ args, code: 4 });
    expect(r.stderr).toMatch(message);
    const asJson = await offboard(who, argv(...command, { json: true }));
    expect(json(asJson)).toMatchObject({ error: { kind: 'refused', exitCode: 4, type } });
  }
  // Refused decisions leave no trace in the run and make no call.
  expect(await snapshot(w.h, idOf('alice'))).toEqual(before);

  const waiting = await offboard(olivia, argv('status', alice));
  expect(waiting.code).toBe(0);
  expect(waiting.stdout).toMatch(/Requested:\s+by Jane \(HR\) \(hr-jane\), reason departure/);
  expect(waiting.stdout).toMatch(/Stage:\s+AwaitingApproval/);
  expect(waiting.stdout).toMatch(
    /Waiting for:\s+an admin's approval of the deletion \(approve or reject\), since \d{4}-\d\d-\d\d /,
  );
  expect(waiting.stdout).toContain('Revocation verified');
  expect(waiting.stdout).toContain('c-prod-1 Removed');

  const listed = await eventually(
    () => offboard(olivia, argv('list', { stage: 'AwaitingApproval', requestedBy: 'hr-jane', json: true })),
    (r) => json<{ runs: unknown[] }>(r).runs.length > 0,
  );
  expect(json(listed)).toMatchObject({
    query: expect.stringContaining(`OffboardingAccount = '${w.h.accountId}'`),
    runs: [{ workflowId: idOf('alice'), stage: 'AwaitingApproval', requestedBy: 'hr-jane', target: 'user/alice' }],
  });
  const table = await offboard(olivia, argv('list', alice));
  expect(table.stdout).toContain(idOf('alice'));
  expect(table.stdout).toContain('1 run(s).');

  const approved = await offboard(carol, argv('approve', alice, { comment: 'HR confirmed the last day' }));
  expect(approved.code).toBe(0);
  expect(approved.stdout).toMatch(/Accepted:\s+approveDeletion by Carol \(carol\)/);
  await waitForStage(w.h.client.workflow.getHandle(idOf('alice')), OffboardingStage.Completed, 30_000);

  const audit = await offboard(olivia, argv('audit', alice, { format: 'md' }));
  expect(audit.code).toBe(0);
  expect(audit.stdout).toContain(`# Audit trail of \`${idOf('alice')}\``);
  expect(audit.stdout).toMatch(/\| approveDeletion \| Carol \(carol\) \| hr, admin \| verified \|/);
  expect(audit.stdout).toContain('HR confirmed the last day');
  expect(audit.stdout).toMatch(/\| workflow \| DeleteUser .*\| ok \|/);
  const auditJson = json<{ stage: string; audit: Array<{ requestIds?: string[] }>; decisions: unknown[] }>(
    await offboard(olivia, argv('audit', idOf('alice'), { format: 'json' })),
  );
  expect(auditJson.stage).toBe('Completed');
  expect(auditJson.decisions).toEqual([
    expect.objectContaining({ kind: 'approveDeletion', actor: 'carol', verified: true, token: expect.any(String) }),
  ]);
  const ids = new Set((await journal(w.h.emulator)).map((e) => e.requestId));
  const cited = auditJson.audit.flatMap((e) => e.requestIds ?? []);
  expect(cited.length).toBeGreaterThan(5);
  for (const id of cited) expect(ids).toContain(id);

  const ended = await offboard(carol, argv('approve', alice));
  expect(ended.code).toBe(4);
  expect(ended.stderr).toContain('has ended');

  const done = await offboard(olivia, argv('status', idOf('alice')));
  expect(done.stdout).toMatch(/Stage:\s+Completed — user\/alice .* deleted by this run after verified revocation/);
}, 150_000);

test('four eyes on subjects: dave requested bob’s offboarding and may not decide on it; carol resolves twice and approves', async () => {
  const dave = await w.as('dave');
  const carol = await w.as('carol');
  const bobId = idOf('bob');
  const handle = w.h.client.workflow.getHandle(bobId);
  const started = await offboard(dave, argv('start', hrStart('bob'), { wait: true }));
  expect(started.code).toBe(0);
  expect(started.stdout).toContain("The run waits for an admin's decision on the dependency findings (resolve)");
  expect(started.stdout).toContain(`offboard resolve ${bobId} --proceed --note "why it is safe"`);

  const before = await snapshot(w.h, bobId);
  const own = await offboard(dave, argv('resolve', { user: 'bob', proceed: true, note: 'go' }));
  expect(own.code).toBe(4);
  expect(own.stderr).toContain('four eyes');
  expect(json(await offboard(dave, argv('resolve', bobId, { proceed: true, note: 'go', json: true })))).toMatchObject({
    error: { exitCode: 4, type: 'FourEyes' },
  });
  expect(await snapshot(w.h, bobId)).toEqual(before);

  expect((await offboard(carol, argv('resolve', bobId, { proceed: true, note: 'his own laptop' }))).code).toBe(0);
  // Revocation without Force: Alibaba refuses (bob used c-prod-1 in the last 7 days), and the run asks again.
  await waitForStage(handle, OffboardingStage.Revocation, 30_000, 'dependencies');
  expect((await offboard(carol, argv('resolve', bobId, { proceed: true, note: 'force it' }))).code).toBe(0);
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  const ownApproval = await offboard(dave, argv('approve', bobId));
  expect(ownApproval.code).toBe(4);
  expect(ownApproval.stderr).toContain('four eyes');
  expect((await offboard(carol, argv('approve', bobId))).code).toBe(0);
  await waitForStage(handle, OffboardingStage.Completed, 30_000);
}, 150_000);

test('reject --restore-access gives alice her access back; the run ends Rejected', async () => {
  const [hr, carol] = [await w.as('hr-jane'), await w.as('carol')];
  const started = await offboard(hr, argv('start', hrStart('alice'), { reason: 'other', wait: true, json: true }));
  expect(started.code).toBe(0);
  expect(json(started)).toMatchObject({ stage: 'AwaitingApproval', pendingDecision: 'approval' });
  expect(await accessKeyStatus('alice')).toEqual(['Inactive']);

  const noReason = await offboard(carol, argv('reject', alice, { reason: '' }));
  expect(noReason.code).toBe(2);
  expect(noReason.stderr).toContain('--reason: must be a non-empty text');

  const rejected = await offboard(carol, argv('reject', alice, { reason: 'wrong person', restoreAccess: true }));
  expect(rejected.code).toBe(0);
  const end = await waitForStage(w.h.client.workflow.getHandle(idOf('alice')), OffboardingStage.Rejected, 30_000);
  expect(end.decisions).toEqual([
    expect.objectContaining({ kind: 'rejectDeletion', actor: 'carol', reason: 'wrong person' }),
  ]);
  expect(await accessKeyStatus('alice')).toEqual(['Active']);
}, 90_000);

test('rescind by the requester before deletion: on-call may not; access comes back, the run ends Rescinded', async () => {
  const [hr, olivia] = [await w.as('hr-jane'), await w.as('olivia')];
  expect((await offboard(hr, argv('start', hrStart('alice'), { wait: true }))).code).toBe(0);
  const outsider = await offboard(olivia, argv('rescind', alice, { reason: 'oops' }));
  expect(outsider.code).toBe(4);
  expect(outsider.stderr).toMatch(/This needs the role (hr|admin)/);
  const r = await offboard(hr, argv('rescind', alice, { reason: 'rehired' }));
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/Accepted:\s+rescind by Jane \(HR\) \(hr-jane\)/);
  await waitForStage(w.h.client.workflow.getHandle(idOf('alice')), OffboardingStage.Rescinded, 30_000);
  expect(await accessKeyStatus('alice')).toEqual(['Active']);
}, 90_000);

test('ci-deployer is still in use: resolve --abort ends the run and nothing was changed', async () => {
  const [hr, carol] = [await w.as('hr-jane'), await w.as('carol')];
  const ciId = idOf('ci-deployer');
  const started = await offboard(hr, argv('start', hrStart('ci-deployer'), { reason: 'other', wait: true }));
  expect(started.code).toBe(0);
  expect(started.stdout).toContain('dependency findings');
  const r = await offboard(carol, argv('resolve', ciId, { abort: true, note: 'the release pipeline still uses it' }));
  expect(r.code).toBe(0);
  await waitForStage(w.h.client.workflow.getHandle(ciId), OffboardingStage.Aborted, 30_000);
  expect(await accessKeyStatus('ci-deployer')).toEqual(['Active']);
  const writes = (await journal(w.h.emulator)).filter((e) => !/^(Get|List|Describe)/.test(e.action));
  expect(writes).toEqual([]);
}, 90_000);
