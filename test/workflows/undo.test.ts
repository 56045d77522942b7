/**
 * Undo and purge against the real dev server and the emulator with RAM's recycle bin on: an offboarded user restored
 * from the bin by a second admin (same uid, keys back Inactive, groups, policies and grants back, console login only
 * as a reset-required password); the refusals (no second admin, the person restored, a purged user); the purge policy
 * `after:<N>` purging durably; a hand-started purge refused.
 */
import * as $ims from '@alicloud/ims20190815';
import Ims from '@alicloud/ims20190815';
import * as $ram from '@alicloud/ram20150501';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { type Worker } from '@temporalio/worker';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { activitiesFromConfig } from '../../activities/from-config';
import { undoWorkflowId } from '../../common/ids';
import { OffboardingStage } from '../../common/stages';
import { purgeWorkflowId, type UndoOffboardingInput } from '../../common/undo';
import { loadWorkerConfig } from '../../config/worker';
import { startUndoOffboarding } from '../../config/start-undo';
import { createTestWorker, uniqueTaskQueue } from '../support/temporal';
import { decide, people } from '../support/trust';
import { type Person } from '../../server/signer';
import {
  emulatorState,
  type Harness,
  offboardInput,
  resetWorld,
  rootRam,
  type Starter,
  startOffboard,
  terminateIfRunning,
  type Unsigned,
  waitForStage,
} from './harness';
import { useHarness } from './use-harness';

const RETENTION_DAYS = 30;
/** A second worker whose purge policy is `after:3s` (fast bounds), on its own task queue. */
let purging: { worker: Worker; running: Promise<void>; starter: Starter } | undefined;
// Declared before the harness: jest runs afterAll hooks in declaration order, and this worker must stop first.
afterAll(async () => {
  purging?.worker.shutdown();
  await purging?.running;
});
const h = useHarness('undo', {
  editFixture: (f) => {
    (f.options as Record<string, unknown>).recycleBin = { retentionDays: RETENTION_DAYS };
  },
});

beforeAll(async () => {
  const taskQueue = uniqueTaskQueue('undo-purge');
  const config = loadWorkerConfig({ ...h.env, TEMPORAL_TASK_QUEUE: taskQueue, OFFBOARD_RECYCLE_BIN_PURGE: 'after:3s' });
  const worker = await createTestWorker({ taskQueue, activities: await activitiesFromConfig(config) });
  purging = { worker, running: worker.run(), starter: { ...h, taskQueue, config } };
});

beforeEach(async () => {
  await terminateIfRunning(h.client, undoWorkflowId(h.accountId, { type: 'user', name: 'alice' }));
  await resetWorld(h, ['alice']);
});

const aliceAsAdmin: Person = { subject: 'alice-admin', name: 'Alice (admin)', roles: ['admin'], ramUser: 'alice' };

function ims(harness: Harness): Ims {
  const key = harness.emulator.fixture.account.rootAccessKeys[0];
  return new Ims(
    new $OpenApiUtil.Config({
      accessKeyId: key.id,
      accessKeySecret: key.secret,
      endpoint: harness.emulator.endpoint,
      protocol: 'http',
      regionId: 'cn-hangzhou',
    }),
  );
}

/** Offboards alice to Completed (carol approves) on the starter's worker; the run's result. */
async function offboardAlice(starter: Starter = h) {
  const { handle } = await startOffboard(starter, offboardInput(h, 'alice'));
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 60_000, 'approval');
  await decide(h, handle, 'approveDeletion', {}, people.carol);
  const result = await handle.result();
  expect(result.stage).toBe(OffboardingStage.Completed);
  return { result, workflowId: handle.workflowId };
}

/** Starts an undo of alice's offboarding as the API would for `person` (an admin): signed. */
async function startUndo(undoOf: string, person: Person = people.carol, starter: Starter = h) {
  const request: Unsigned<UndoOffboardingInput> = {
    accountId: h.accountId,
    target: { type: 'user', name: 'alice' },
    undoOf,
    requestedBy: person.subject,
    requestedByName: person.name,
    reason: 'HR-1234: the departure was called off after the deletion',
    blockedReminderEvery: '30s',
  };
  const workflowId = undoWorkflowId(h.accountId, request.target);
  const authorization = await h.signer.signRequest({ workflow: 'undoOffboarding', workflowId, request, person });
  return startUndoOffboarding(
    starter.client,
    { ...request, authorization },
    { taskQueue: starter.taskQueue, timing: starter.config.timing },
  );
}

async function refusal(p: Promise<unknown>): Promise<{ type?: string; message: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause as { type?: string; message: string };
  return cause;
}

interface UserJson {
  id: string;
  name: string;
  accessKeys: Array<{ id: string; status: string }>;
  groups: Array<{ name: string }>;
  policies: Array<{ name: string; type: string }>;
  loginProfile?: { passwordResetRequired: boolean };
  mfa?: unknown;
}

test('undo: a second admin restores alice from the recycle bin — same uid, key Inactive, groups, policies, grants, reset-required login', async () => {
  const before = (await emulatorState(h.emulator)) as { users: UserJson[]; grants: Record<string, unknown[]> };
  const aliceBefore = before.users.find((u) => u.name === 'alice')!;
  const grantsBefore = before.grants[aliceBefore.id];
  expect(grantsBefore?.length).toBeGreaterThan(0);

  const { result, workflowId } = await offboardAlice();
  // The final record says when RAM purges the user (policy keep: RAM's DeleteDate).
  const deleteDate = /in RAM's recycle bin until (\S+) \(purge policy keep/.exec(result.outcome)?.[1];
  expect(deleteDate).toBeDefined();
  expect(Date.parse(deleteDate!) - Date.now()).toBeGreaterThan((RETENTION_DAYS - 1) * 86_400_000);
  expect(result.audit.some((e) => e.action === 'purge policy' && e.detail?.includes(deleteDate!))).toBe(true);

  const { handle } = await startUndo(workflowId);
  const waiting = await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  expect(waiting.workflow).toBe('undoOffboarding');
  expect(waiting.uid).toBe(aliceBefore.id);
  expect(waiting.approvalDeadline).toBe(new Date(deleteDate!).toISOString());

  // Four eyes: the requester of the undo may not approve it; nor may alice, admin or not.
  expect((await refusal(decide(h, handle, 'approveUndo', {}, people.carol))).type).toBe('FourEyes');
  expect((await refusal(decide(h, handle, 'approveUndo', {}, aliceAsAdmin))).type).toBe('OwnOffboarding');
  expect((await refusal(decide(h, handle, 'approveUndo', {}, people.olivia))).type).toBe('NotAnAdmin');
  // Nothing was restored meanwhile.
  const still = (await emulatorState(h.emulator)) as { users: UserJson[] };
  expect(still.users.some((u) => u.name === 'alice')).toBe(false);

  await decide(h, handle, 'approveUndo', { comment: 'confirmed with HR' }, people.dave);
  const undone = await handle.result();
  expect(undone.stage).toBe(OffboardingStage.Completed);
  expect(undone.outcome).toMatch(/restored from RAM's recycle bin with its uid/);
  expect(undone.outcome).toMatch(/an admin must set a new password in RAM/);

  const after = (await emulatorState(h.emulator)) as { users: UserJson[]; grants: Record<string, unknown[]> };
  const alice = after.users.find((u) => u.name === 'alice')!;
  expect(alice.id).toBe(aliceBefore.id);
  expect(alice.accessKeys.map((k) => [k.id, k.status])).toEqual(aliceBefore.accessKeys.map((k) => [k.id, 'Inactive']));
  expect(alice.groups.map((g) => g.name).sort()).toEqual(aliceBefore.groups.map((g) => g.name).sort());
  expect(alice.policies.map((p) => `${p.type}/${p.name}`).sort()).toEqual(
    aliceBefore.policies.map((p) => `${p.type}/${p.name}`).sort(),
  );
  expect(after.grants[alice.id]).toEqual(grantsBefore);
  expect(alice.loginProfile?.passwordResetRequired).toBe(true);
  // The generated password is nowhere in the run's record.
  expect(JSON.stringify(undone)).not.toMatch(/password"?\s*[:=]/i);
});

test('rejectUndo by a second admin ends the undo with nothing restored', async () => {
  const { workflowId } = await offboardAlice();
  const { handle } = await startUndo(workflowId);
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  await decide(h, handle, 'rejectUndo', { reason: 'not confirmed by HR' }, people.dave);
  const rejected = await handle.result();
  expect(rejected.stage).toBe(OffboardingStage.Rejected);
  const state = (await emulatorState(h.emulator)) as { users: UserJson[] };
  expect(state.users.some((u) => u.name === 'alice')).toBe(false);
});

test('undo brings no console login back when the snapshot had none', async () => {
  await rootRam(h.emulator).deleteLoginProfile(new $ram.DeleteLoginProfileRequest({ userName: 'alice' }));
  const { workflowId } = await offboardAlice();
  const { handle } = await startUndo(workflowId);
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  await decide(h, handle, 'approveUndo', {}, people.dave);
  const undone = await handle.result();
  expect(undone.stage).toBe(OffboardingStage.Completed);
  expect(undone.outcome).toMatch(/no console login \(the snapshot had none\)/);
  const state = (await emulatorState(h.emulator)) as { users: UserJson[] };
  expect(state.users.find((u) => u.name === 'alice')?.loginProfile).toBeUndefined();
});

test('undo is refused once RAM purged the user, naming the purge date', async () => {
  const { result, workflowId } = await offboardAlice();
  const deleteDate = /in RAM's recycle bin until (\S+) \(purge/.exec(result.outcome)![1];
  await ims(h).deleteUserInRecycleBin(new $ims.DeleteUserInRecycleBinRequest({ userId: result.uid }));
  const { handle } = await startUndo(workflowId);
  const refused = await handle.result();
  expect(refused.stage).toBe(OffboardingStage.Refused);
  expect(refused.outcome).toContain(`no longer in RAM's recycle bin: it was purged (purge date ${deleteDate}`);
});

test('purge policy after:3s: the child purges the same uid and its keys; an undo then refuses naming the date', async () => {
  const { result, workflowId } = await offboardAlice(purging!.starter);
  const uid = result.uid!;
  expect(result.outcome).toMatch(/purged from RAM's recycle bin at \S+ \(purge policy after:3s, by purge\//);
  const purge = h.client.workflow.getHandle(purgeWorkflowId(h.accountId, uid));
  const purged = await purge.result();
  expect(purged.stage).toBe(OffboardingStage.Completed);
  expect(purged.outcome).toMatch(/purged from RAM's recycle bin at .* with its access keys LTAIdemoAlice000000001/);

  const bin = ims(h);
  await expect(bin.getUserInRecycleBin(new $ims.GetUserInRecycleBinRequest({ userId: uid }))).rejects.toThrow(
    /EntityNotExist/,
  );
  const state = (await emulatorState(h.emulator)) as { recycleBin: { users: unknown[]; accessKeys: unknown[] } };
  expect(JSON.stringify(state.recycleBin)).not.toContain(uid);
  expect(JSON.stringify(state.recycleBin)).not.toContain('LTAIdemoAlice000000001');

  const purgeAt = /purged from RAM's recycle bin at (\S+) /.exec(result.outcome)![1];
  const { handle } = await startUndo(workflowId, people.carol, purging!.starter);
  const refused = await handle.result();
  expect(refused.stage).toBe(OffboardingStage.Refused);
  expect(refused.outcome).toContain(`purge date ${purgeAt}: this product's purge policy`);
});

test('an undo before the purge date: the purge child wakes, finds the uid restored, and purges nothing', async () => {
  const taskQueue = uniqueTaskQueue('undo-purge-late');
  const config = loadWorkerConfig({
    ...h.env,
    TEMPORAL_TASK_QUEUE: taskQueue,
    OFFBOARD_RECYCLE_BIN_PURGE: 'after:25s',
  });
  const worker = await createTestWorker({ taskQueue, activities: await activitiesFromConfig(config) });
  const running = worker.run();
  try {
    const starter = { ...h, taskQueue, config };
    const { result, workflowId } = await offboardAlice(starter);
    const purge = h.client.workflow.getHandle(purgeWorkflowId(h.accountId, result.uid!));
    const { handle } = await startUndo(workflowId, people.carol, starter);
    await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
    await decide(h, handle, 'approveUndo', {}, people.dave);
    expect((await handle.result()).stage).toBe(OffboardingStage.Completed);

    const ended = await purge.result();
    expect(ended.stage).toBe(OffboardingStage.AlreadyGone);
    expect(ended.outcome).toMatch(
      /it was restored \(an undo\): it is live again under its name, and this run purged nothing/,
    );
    const state = (await emulatorState(h.emulator)) as { users: UserJson[] };
    expect(state.users.find((u) => u.name === 'alice')?.id).toBe(result.uid);
  } finally {
    worker.shutdown();
    await running;
  }
});

test('a purge started by hand is refused, even with a real signed request', async () => {
  const request = {
    ...offboardInput(h, 'alice'),
    requestedBy: people.hrJane.subject,
    requestedByName: people.hrJane.name,
  };
  const authorization = await h.signer.signRequest({
    workflow: 'offboardIdentity',
    workflowId: `offboard/${h.accountId}/user/alice`,
    request,
    person: people.hrJane,
  });
  const uid = '2034000000000002';
  const handle = await h.client.workflow.start('purgeFromRecycleBin', {
    workflowId: purgeWorkflowId(h.accountId, uid),
    taskQueue: h.taskQueue,
    args: [
      {
        accountId: h.accountId,
        target: { type: 'user', name: 'alice' },
        uid,
        purgeAfterMs: 0,
        requestedBy: people.hrJane.subject,
        reason: 'departure',
        authorization,
      },
    ],
  });
  const result = (await handle.result()) as { stage: string; outcome: string };
  expect(result.stage).toBe(OffboardingStage.Refused);
  expect(result.outcome).toMatch(/started by hand; nothing was purged/);
});
