import type Cs from '@alicloud/cs20151215';
import * as $Cs from '@alicloud/cs20151215';
import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import { type RunningEmulator, startEmulator } from '../../emulator';
import {
  admin,
  certStates as certStatesOf,
  clients,
  finishedTask,
  sdkError,
  setCluster,
  setOptions,
  startWithFixture,
  UID,
} from './clients';

/**
 * How a clean can end other than in success (issue 13 items 3, 12, 14): a task that ends `fail`, `timeout` or
 * `canceled`; the refusal of a clean without Force in either of its forms; and clusters with API-server auditing off,
 * where every clean without Force is refused.
 */

let emu: RunningEmulator;
let cs: Cs;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, taskDelayMs: 50 });
  cs = clients(emu).cs;
});
beforeEach(() => emu.reset());
afterAll(() => emu.close());

const clean = (uid: string, req: ConstructorParameters<typeof $Cs.CleanUserPermissionsRequest>[0] = {}) =>
  cs.cleanUserPermissions(uid, new $Cs.CleanUserPermissionsRequest(req));
const cleanCluster = (clusterId: string, uid: string, force = false) =>
  cs.cleanClusterUserPermissions(clusterId, uid, new $Cs.CleanClusterUserPermissionsRequest({ force }));

const finalTask = (taskId: string) => finishedTask(cs, taskId);

const certStates = (uid: string) => certStatesOf(cs, uid);

describe('clean tasks that end without success', () => {
  test.each([
    ['task-fail', 'fail'],
    ['task-timeout', 'timeout'],
    ['task-canceled', 'canceled'],
  ])('%s: DescribeTaskInfo reads state %s, with an error, and nothing changed', async (kind, state) => {
    await admin(emu, 'POST', 'faults', { rules: [{ action: 'CleanUserPermissions', kind, count: 1 }] });
    const task = await clean(UID.alice, { force: true });
    const ended = await finalTask(task.body!.taskId!);
    expect(ended).toMatchObject({ state, error: { code: E.cleanTaskFailed, message: expect.any(String) } });
    expect(ended.taskResult?.map((r) => r.status)).toEqual(['failed', 'failed']);
    expect(await certStates(UID.alice)).toEqual({ 'c-prod-1': 'Unexpired', 'c-staging-1': 'Unexpired' });
    // The rule is spent: the next clean is a new task, and it succeeds.
    const again = await clean(UID.alice, { force: true });
    expect(again.body?.taskId).not.toBe(task.body?.taskId);
    expect((await finalTask(again.body!.taskId!)).state).toBe('success');
    expect(await certStates(UID.alice)).toEqual({ 'c-prod-1': 'Removed', 'c-staging-1': 'Removed' });
  });

  test('task-ending faults apply to CleanUserPermissions only', async () => {
    await expect(
      admin(emu, 'POST', 'faults', { rules: [{ action: 'DescribeTaskInfo', kind: 'task-timeout' }] }),
    ).rejects.toThrow(/400.*task-timeout applies to action CleanUserPermissions only/);
  });
});

describe('the refusal of a clean without Force, in both forms', () => {
  test('recent-access (default): ErrorCleanPermissions.RecentAccess 400, naming the cluster and the 7 days', async () => {
    for (const call of [clean(UID.bob), cleanCluster('c-prod-1', UID.bob)]) {
      const err = await sdkError(call);
      expect([err.name, err.code, err.statusCode]).toEqual(['ClientError', E.recentClusterAccess, 400]);
      expect(err.message).toMatch(/accessed cluster c-prod-1 within the last 7 days/);
    }
  });

  test('operation-denied: another code and status, the same meaning, told by the message (audit logs, 7 days)', async () => {
    await setOptions(emu, { cleanRefusal: 'operation-denied' });
    for (const call of [clean(UID.bob), cleanCluster('c-prod-1', UID.bob)]) {
      const err = await sdkError(call);
      expect([err.name, err.code, err.statusCode]).toEqual(['ClientError', E.cleanOperationDenied, 403]);
      expect(err.message).toMatch(
        /audit logs of cluster c-prod-1 show access by 2034000000000003 within the last 7 days/,
      );
    }
    expect(await certStates(UID.bob)).toEqual({ 'c-prod-1': 'Unexpired', 'c-staging-1': 'Unissued' });
    // Force still goes through.
    expect((await finalTask((await clean(UID.bob, { force: true })).body!.taskId!)).state).toBe('success');
  });

  test('the second form from a fixture', async () => {
    const denied = await startWithFixture((f) => {
      f.options = { cleanRefusal: 'operation-denied' };
    });
    try {
      const err = await sdkError(
        clients(denied).cs.cleanUserPermissions(UID.bob, new $Cs.CleanUserPermissionsRequest({})),
      );
      expect(err.code).toBe(E.cleanOperationDenied);
    } finally {
      await denied.close();
    }
  });
});

describe('clusters with API-server auditing off', () => {
  test('DescribeClusterDetail and GetClusterAuditProject show it', async () => {
    const on = (await cs.describeClusterDetail('c-staging-1')).body!;
    expect(JSON.parse(on.metaData!)).toEqual({ AuditProjectName: 'k8s-log-c-staging-1' });
    expect((await cs.getClusterAuditProject('c-staging-1')).body).toEqual({
      auditEnabled: true,
      slsProjectName: 'k8s-log-c-staging-1',
    });
    await setCluster(emu, 'c-staging-1', { auditLog: false });
    const off = (await cs.describeClusterDetail('c-staging-1')).body!;
    expect(JSON.parse(off.metaData!)).toEqual({});
    expect((await cs.getClusterAuditProject('c-staging-1')).body).toEqual({ auditEnabled: false, slsProjectName: '' });
  });

  test('every clean without Force that touches such a cluster is refused with the audit-logs message, in both forms', async () => {
    await setCluster(emu, 'c-staging-1', { auditLog: false });
    // alice used neither cluster in the last 7 days: only the missing audit logs block her clean.
    const all = await sdkError(clean(UID.alice));
    expect([all.code, all.statusCode]).toEqual([E.recentClusterAccess, 400]);
    expect(all.message).toMatch(/c-staging-1: API server auditing is disabled, so there are no audit logs to check/);
    const one = await sdkError(cleanCluster('c-staging-1', UID.formerContractor));
    expect(one.message).toMatch(/audit logs/);
    // A clean that does not touch it goes through.
    await cleanCluster('c-prod-1', UID.alice);
    expect((await finalTask((await clean(UID.alice, { clusterIds: ['c-prod-1'] })).body!.taskId!)).state).toBe(
      'success',
    );

    await setOptions(emu, { cleanRefusal: 'operation-denied' });
    const denied = await sdkError(clean(UID.alice));
    expect([denied.code, denied.statusCode]).toEqual([E.cleanOperationDenied, 403]);
    expect(denied.message).toMatch(
      /API server auditing is disabled on cluster c-staging-1, so there are no audit logs/,
    );

    // With Force the clean goes through.
    expect((await finalTask((await clean(UID.alice, { force: true })).body!.taskId!)).state).toBe('success');
    expect(await certStates(UID.alice)).toEqual({ 'c-prod-1': 'Removed', 'c-staging-1': 'Removed' });
  });

  test('auditLog: false in a cluster of the fixture', async () => {
    const noAudit = await startWithFixture((f) => {
      (f.clusters as { id: string; auditLog?: boolean }[]).find((c) => c.id === 'c-prod-1')!.auditLog = false;
    });
    try {
      const { body } = await clients(noAudit).cs.getClusterAuditProject('c-prod-1');
      expect(body?.auditEnabled).toBe(false);
    } finally {
      await noAudit.close();
    }
  });
});
