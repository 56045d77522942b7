import type Cs from '@alicloud/cs20151215';
import * as $Cs from '@alicloud/cs20151215';
import * as $Ram from '@alicloud/ram20150501';
import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import { type RunningEmulator, startEmulator } from '../../emulator';
import {
  admin,
  certStates as certStatesOf,
  clients,
  clientsWithKey,
  deleteAlice,
  expectApiError,
  finishedTask,
  journal,
  sdkError,
  startWithFixture,
  UID,
} from './clients';

/** Every CS operation of issue 3 through the official SDK, and the kubeconfig semantics the offboarding relies on. */

const TASK_DELAY_MS = 150;
let emu: RunningEmulator;
let cs: Cs;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, taskDelayMs: TASK_DELAY_MS });
  cs = clients(emu).cs;
});
beforeEach(() => emu.reset());
afterAll(() => emu.close());

const certStates = (uid: string, client: Cs = cs) => certStatesOf(client, uid);

async function grants(uid: string, client: Cs = cs): Promise<string[]> {
  const { body } = await client.describeUserPermission(uid);
  return body!.map((g) => `${g.resourceId}:${g.roleType}${g.roleName ? `/${g.roleName}` : ''}`).sort();
}

const clean = (
  uid: string,
  req: ConstructorParameters<typeof $Cs.CleanUserPermissionsRequest>[0] = {},
  client: Cs = cs,
) => client.cleanUserPermissions(uid, new $Cs.CleanUserPermissionsRequest(req));

const waitForTask = (taskId: string) => finishedTask(cs, taskId);

describe('clusters', () => {
  test('DescribeClustersV1 lists and filters clusters with page_info', async () => {
    const all = await cs.describeClustersV1(new $Cs.DescribeClustersV1Request({}));
    expect(all.body?.clusters?.map((c) => [c.clusterId, c.name, c.state])).toEqual([
      ['c-prod-1', 'prod-1', 'running'],
      ['c-staging-1', 'staging-1', 'running'],
    ]);
    expect(all.body?.pageInfo).toEqual({ pageNumber: 1, pageSize: 10, totalCount: 2 });
    const staging = await cs.describeClustersV1(new $Cs.DescribeClustersV1Request({ name: 'staging' }));
    expect(staging.body?.clusters?.map((c) => c.clusterId)).toEqual(['c-staging-1']);
    const page2 = await cs.describeClustersV1(new $Cs.DescribeClustersV1Request({ pageSize: 1, pageNumber: 2 }));
    expect(page2.body?.clusters?.map((c) => c.clusterId)).toEqual(['c-staging-1']);
  });

  test('DescribeClusterDetail returns the cluster; an unknown id is ErrorClusterNotFound 404', async () => {
    const { body } = await cs.describeClusterDetail('c-prod-1');
    expect(body).toMatchObject({
      clusterId: 'c-prod-1',
      clusterType: 'ManagedKubernetes',
      regionId: 'cn-hangzhou',
      size: 12,
    });
    expect(body?.tags).toEqual([expect.objectContaining({ key: 'env', value: 'prod' })]);
    await expectApiError(cs.describeClusterDetail('c-nope'), E.clusterNotFound, 404);
  });
});

describe('kubeconfig states and grants', () => {
  test('ListUserKubeConfigStates shows one state per cluster, Expired past expiry, Unissued without a record', async () => {
    expect(await certStates(UID.alice)).toEqual({ 'c-prod-1': 'Unexpired', 'c-staging-1': 'Unexpired' });
    expect(await certStates(UID.dave)).toEqual({ 'c-prod-1': 'Unissued', 'c-staging-1': 'Expired' });
    const paged = await cs.listUserKubeConfigStates(
      UID.alice,
      new $Cs.ListUserKubeConfigStatesRequest({ pageSize: 1, pageNumber: 2 }),
    );
    expect(paged.body?.page).toEqual({ pageNumber: 2, pageSize: 1, totalCount: 2 });
    expect(paged.body?.states?.map((s) => s.clusterId)).toEqual(['c-staging-1']);
    await expectApiError(
      cs.listUserKubeConfigStates(UID.alice, new $Cs.ListUserKubeConfigStatesRequest({ pageSize: 101 })),
      E.csInvalidParameter,
      400,
    );
    await expectApiError(
      cs.listUserKubeConfigStates('2999999999999999', new $Cs.ListUserKubeConfigStatesRequest({})),
      E.csUserNotFound,
      404,
    );
  });

  test('ListClusterKubeconfigStates lists every identity holding a kubeconfig, including a deleted one', async () => {
    const { body } = await cs.listClusterKubeconfigStates(
      'c-prod-1',
      new $Cs.ListClusterKubeconfigStatesRequest({ pageSize: 50 }),
    );
    const rows = Object.fromEntries(
      body!.states!.map((s) => [s.accountName!, [s.accountType, s.accountState, s.certState]]),
    );
    expect(rows).toEqual({
      'acme-demo': ['RootAccount', 'Active', 'Unexpired'],
      alice: ['RamUser', 'Active', 'Unexpired'],
      bob: ['RamUser', 'Active', 'Unexpired'],
      carol: ['RamUser', 'Active', 'Unexpired'],
      'legacy-deploy-role': ['RamRole', 'Active', 'Unexpired'],
      'former-contractor': ['RamUser', 'Deleted', 'Unexpired'],
    });
    const cloud = await cs.listClusterKubeconfigStates(
      'c-prod-1',
      new $Cs.ListClusterKubeconfigStatesRequest({ cloudServiceKubeConfig: true }),
    );
    expect(cloud.body?.states).toEqual([]);
    await expectApiError(
      cs.listClusterKubeconfigStates('c-nope', new $Cs.ListClusterKubeconfigStatesRequest({})),
      E.clusterNotFound,
      404,
    );
  });

  test('DescribeUserPermission returns the grants; a RAM caller sees only clusters where it is RBAC admin', async () => {
    expect(await grants(UID.alice)).toEqual(['c-prod-1:dev', 'c-staging-1/payments:dev']);
    expect(await grants(UID.ci)).toEqual(['c-staging-1/apps:custom/ci-deployer-role']);
    const { body } = await cs.describeUserPermission(UID.legacyRole);
    expect(body).toEqual([
      expect.objectContaining({ resourceId: 'c-prod-1/deploy', resourceType: 'namespace', isRamRole: 1, isOwner: 0 }),
    ]);
    // dave (AdministratorAccess through cloud-admins) is RBAC admin of c-staging-1 only.
    const root = clients(emu, 'root').ram;
    const key = (await root.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: 'dave' }))).body!.accessKey!;
    const asDave = clientsWithKey(emu, key.accessKeyId!, key.accessKeySecret!).cs;
    expect(await grants(UID.alice, asDave)).toEqual(['c-staging-1/payments:dev']);
  });

  test('GrantPermissions overwrites all grants, validates scopes, and is refused outside the caller’s RBAC admin scope', async () => {
    const grant = (uid: string, body: $Cs.GrantPermissionsRequestBody[], client: Cs = cs) =>
      client.grantPermissions(uid, new $Cs.GrantPermissionsRequest({ body }));
    const item = (o: Partial<$Cs.GrantPermissionsRequestBody>) => new $Cs.GrantPermissionsRequestBody(o);
    await grant(UID.bob, [item({ cluster: 'c-staging-1', namespace: 'web', roleType: 'namespace', roleName: 'dev' })]);
    expect(await grants(UID.bob)).toEqual(['c-staging-1/web:dev']);
    await grant(UID.legacyRole, [
      item({ cluster: 'c-prod-1', roleType: 'cluster', roleName: 'view-all', isCustom: true, isRamRole: true }),
    ]);
    expect((await cs.describeUserPermission(UID.legacyRole)).body).toEqual([
      expect.objectContaining({ resourceId: 'c-prod-1', roleType: 'custom', roleName: 'view-all', isRamRole: 1 }),
    ]);

    await expectApiError(
      grant(UID.bob, [item({ cluster: 'c-prod-1', namespace: 'x', roleType: 'namespace', roleName: 'admin' })]),
      E.csInvalidParameter,
      400,
    );
    await expectApiError(
      grant(UID.bob, [item({ cluster: '', roleType: 'all-clusters', roleName: 'admin-view' })]),
      E.csInvalidParameter,
      400,
    );
    await expectApiError(
      grant(UID.bob, [item({ cluster: 'c-prod-1', roleType: 'cluster', roleName: 'superuser' })]),
      E.csInvalidParameter,
      400,
    );
    await expectApiError(
      grant(UID.bob, [item({ cluster: 'c-nope', roleType: 'cluster', roleName: 'dev' })]),
      E.clusterNotFound,
      404,
    );
    await expectApiError(
      grant(UID.formerContractor, [item({ cluster: 'c-prod-1', roleType: 'cluster', roleName: 'dev' })]),
      E.csUserNotFound,
      404,
    );

    const root = clients(emu, 'root').ram;
    const key = (await root.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: 'dave' }))).body!.accessKey!;
    const asDave = clientsWithKey(emu, key.accessKeyId!, key.accessKeySecret!).cs;
    await grant(UID.ci, [item({ cluster: 'c-staging-1', roleType: 'cluster', roleName: 'ops' })], asDave);
    await expectApiError(
      grant(UID.ci, [item({ cluster: 'c-prod-1', roleType: 'cluster', roleName: 'dev' })], asDave),
      E.forbiddenGrantPermissions,
      403,
    );
    expect(await grants(UID.ci)).toEqual(['c-staging-1:ops']);
  });

  test('UpdateUserPermissions patches, deletes and applies', async () => {
    const update = (mode: string | undefined, body: Partial<$Cs.UpdateUserPermissionsRequestBody>[]) =>
      cs.updateUserPermissions(
        UID.alice,
        new $Cs.UpdateUserPermissionsRequest({
          ...(mode && { mode }),
          body: body.map((b) => new $Cs.UpdateUserPermissionsRequestBody(b)),
        }),
      );
    await update('patch', [{ cluster: 'c-staging-1', roleType: 'cluster', roleName: 'restricted' }]);
    expect(await grants(UID.alice)).toEqual(['c-prod-1:dev', 'c-staging-1/payments:dev', 'c-staging-1:restricted']);
    await update('delete', [{ cluster: 'c-prod-1', roleType: 'cluster', roleName: 'dev' }]);
    expect(await grants(UID.alice)).toEqual(['c-staging-1/payments:dev', 'c-staging-1:restricted']);
    await update(undefined, [{ cluster: 'c-prod-1', roleType: 'cluster', roleName: 'ops' }]);
    expect(await grants(UID.alice)).toEqual(['c-prod-1:ops']);
    await update('apply', []);
    expect(await grants(UID.alice)).toEqual([]);
    await expectApiError(update('merge', []), E.csInvalidParameter, 400);
  });
});

describe('cleaning permissions', () => {
  test('CleanUserPermissions is asynchronous: the task runs, then kubeconfigs read Removed and grants are gone', async () => {
    const { body } = await clean(UID.alice);
    expect(body?.taskId).toMatch(new RegExp(`^clean-user-permissions-${UID.alice}-[0-9a-f]+$`));
    expect(body?.requestId).toMatch(/^[0-9A-F-]{36}$/);
    const running = await cs.describeTaskInfo(body!.taskId!);
    expect(running.body).toMatchObject({
      taskId: body?.taskId,
      state: 'running',
      target: { id: UID.alice, type: 'user' },
    });
    // Nothing has landed yet: the verification stage must poll.
    expect(await certStates(UID.alice)).toEqual({ 'c-prod-1': 'Unexpired', 'c-staging-1': 'Unexpired' });
    const done = await waitForTask(body!.taskId!);
    expect(done).toMatchObject({ state: 'success' });
    expect(done.taskResult?.map((r) => [r.data, r.status])).toEqual([
      ['c-prod-1', 'success'],
      ['c-staging-1', 'success'],
    ]);
    expect(await certStates(UID.alice)).toEqual({ 'c-prod-1': 'Removed', 'c-staging-1': 'Removed' });
    expect(await grants(UID.alice)).toEqual([]);
    await expectApiError(cs.describeTaskInfo('clean-user-permissions-nope'), E.taskNotFound, 404);
  });

  test('CleanUserPermissions with ClusterIds cleans only those clusters and keeps an all-clusters grant', async () => {
    const { body } = await clean(UID.carol, { clusterIds: ['c-prod-1'], force: true });
    await waitForTask(body!.taskId!);
    expect(await certStates(UID.carol)).toEqual({ 'c-prod-1': 'Removed', 'c-staging-1': 'Unissued' });
    expect(await grants(UID.carol)).toEqual(['all-clusters:admin']);
    await expectApiError(clean(UID.alice, { clusterIds: ['c-prod-1', 'c-nope'] }), E.clusterNotFound, 404);
  });

  test('without Force a clean is refused when the identity used a cluster in the last 7 days; with Force it goes through', async () => {
    const refused = await sdkError(clean(UID.bob));
    expect([refused.name, refused.code, refused.statusCode]).toEqual(['ClientError', E.recentClusterAccess, 400]);
    expect(refused.message).toContain('c-prod-1');
    await expectApiError(
      cs.cleanClusterUserPermissions('c-prod-1', UID.bob, new $Cs.CleanClusterUserPermissionsRequest({})),
      E.recentClusterAccess,
      400,
    );
    expect(await certStates(UID.bob)).toEqual({ 'c-prod-1': 'Unexpired', 'c-staging-1': 'Unissued' });
    const { body } = await clean(UID.bob, { force: true });
    expect((await waitForTask(body!.taskId!)).state).toBe('success');
    expect(await certStates(UID.bob)).toEqual({ 'c-prod-1': 'Removed', 'c-staging-1': 'Unissued' });
  });

  test('cleaning the root account or the calling identity itself is refused', async () => {
    await expectApiError(clean('1234567890123456', { force: true }), E.cleanRootNotSupported, 400);
    await expectApiError(clean(UID.bot, { force: true }), E.cleanSelfNotSupported, 400);
    await expectApiError(
      cs.cleanClusterUserPermissions(
        'c-prod-1',
        '1234567890123456',
        new $Cs.CleanClusterUserPermissionsRequest({ force: true }),
      ),
      E.cleanRootNotSupported,
      400,
    );
    await expectApiError(
      cs.cleanClusterUserPermissions('c-prod-1', UID.bot, new $Cs.CleanClusterUserPermissionsRequest({ force: true })),
      E.cleanSelfNotSupported,
      400,
    );
    await expectApiError(clean('2999999999999999', { force: true }), E.csUserNotFound, 404);
  });

  test('CleanClusterUserPermissions cleans one cluster at once', async () => {
    const res = await cs.cleanClusterUserPermissions(
      'c-staging-1',
      UID.alice,
      new $Cs.CleanClusterUserPermissionsRequest({}),
    );
    expect(res.statusCode).toBe(200);
    expect(await certStates(UID.alice)).toEqual({ 'c-prod-1': 'Unexpired', 'c-staging-1': 'Removed' });
    expect(await grants(UID.alice)).toEqual(['c-prod-1:dev']);
    await expectApiError(
      cs.cleanClusterUserPermissions('c-nope', UID.alice, new $Cs.CleanClusterUserPermissionsRequest({})),
      E.clusterNotFound,
      404,
    );
  });

  test('a cluster without audit logs cannot prove there was no recent access: refused without Force', async () => {
    const noAudit = await startWithFixture((f) => {
      (f.clusters as { id: string; auditLog?: boolean }[]).find((c) => c.id === 'c-staging-1')!.auditLog = false;
    });
    try {
      const c = clients(noAudit).cs;
      await expectApiError(
        c.cleanClusterUserPermissions('c-staging-1', UID.alice, new $Cs.CleanClusterUserPermissionsRequest({})),
        E.recentClusterAccess,
        400,
      );
      await c.cleanClusterUserPermissions('c-prod-1', UID.alice, new $Cs.CleanClusterUserPermissionsRequest({}));
      await c.cleanClusterUserPermissions(
        'c-staging-1',
        UID.alice,
        new $Cs.CleanClusterUserPermissionsRequest({ force: true }),
      );
    } finally {
      await noAudit.close();
    }
  });

  test('the worker gets StatusForbidden once AliyunCSFullAccess is detached, and works again after re-attaching', async () => {
    const root = clients(emu, 'root').ram;
    const policy = { policyName: 'AliyunCSFullAccess', policyType: 'System', userName: 'offboarding-bot' };
    await root.detachPolicyFromUser(new $Ram.DetachPolicyFromUserRequest(policy));
    await expectApiError(clean(UID.alice), E.csForbidden, 403);
    await expectApiError(
      cs.listUserKubeConfigStates(UID.alice, new $Cs.ListUserKubeConfigStatesRequest({})),
      E.csForbidden,
      403,
    );
    await root.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest(policy));
    await clean(UID.alice);
  });

  test('ListClusterKubeconfigStates also needs RAM read access', async () => {
    const root = clients(emu, 'root').ram;
    await root.detachPolicyFromUser(
      new $Ram.DetachPolicyFromUserRequest({
        policyName: 'AliyunRAMFullAccess',
        policyType: 'System',
        userName: 'offboarding-bot',
      }),
    );
    await expectApiError(
      cs.listClusterKubeconfigStates('c-prod-1', new $Cs.ListClusterKubeconfigStatesRequest({})),
      E.csForbidden,
      403,
    );
  });
});

describe('self-service and issuing', () => {
  test('a RAM user may always revoke its own kubeconfig, and only its own; a fresh one can be fetched after', async () => {
    const asAlice = clients(emu, 'user/alice').cs;
    // alice holds only AliyunCSReadOnlyAccess: admin operations are refused...
    await expectApiError(clean(UID.bob, { force: true }, asAlice), E.csForbidden, 403);
    // ...but revoking her own kubeconfig is always allowed.
    await asAlice.revokeK8sClusterKubeConfig('c-prod-1');
    expect(await certStates(UID.alice)).toEqual({ 'c-prod-1': 'Removed', 'c-staging-1': 'Unexpired' });
    expect(await certStates(UID.bob)).toEqual({ 'c-prod-1': 'Unexpired', 'c-staging-1': 'Unissued' });
    // Revocation leaves RBAC in place, so the cluster issues her a new kubeconfig on request.
    const fresh = await asAlice.describeClusterUserKubeconfig(
      'c-prod-1',
      new $Cs.DescribeClusterUserKubeconfigRequest({}),
    );
    expect(fresh.body?.config).toContain(`user: "${UID.alice}"`);
    const years = (Date.parse(fresh.body!.expiration!) - Date.now()) / (365 * 86_400_000);
    expect(years).toBeGreaterThan(2.9);
    expect(await certStates(UID.alice)).toEqual({ 'c-prod-1': 'Unexpired', 'c-staging-1': 'Unexpired' });
    await expectApiError(asAlice.revokeK8sClusterKubeConfig('c-nope'), E.clusterNotFound, 404);
  });

  test('DescribeClusterUserKubeconfig: temporary kubeconfigs, bounds, and no kubeconfig without RBAC permissions', async () => {
    const asBob = clients(emu, 'user/bob').cs;
    const temp = await asBob.describeClusterUserKubeconfig(
      'c-prod-1',
      new $Cs.DescribeClusterUserKubeconfigRequest({ temporaryDurationMinutes: 30, privateIpAddress: true }),
    );
    const minutes = (Date.parse(temp.body!.expiration!) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(29);
    expect(minutes).toBeLessThanOrEqual(30);
    expect(temp.body?.config).toContain('server: https://192.168.0.1:6443');
    await expectApiError(
      asBob.describeClusterUserKubeconfig(
        'c-prod-1',
        new $Cs.DescribeClusterUserKubeconfigRequest({ temporaryDurationMinutes: 5 }),
      ),
      E.csInvalidParameter,
      400,
    );
    // bob has no grant on c-staging-1.
    await expectApiError(
      asBob.describeClusterUserKubeconfig('c-staging-1', new $Cs.DescribeClusterUserKubeconfigRequest({})),
      E.csForbidden,
      403,
    );
    // After a clean removes his grants, no new kubeconfig is issued either.
    await cs.cleanClusterUserPermissions(
      'c-prod-1',
      UID.bob,
      new $Cs.CleanClusterUserPermissionsRequest({ force: true }),
    );
    await expectApiError(
      asBob.describeClusterUserKubeconfig('c-prod-1', new $Cs.DescribeClusterUserKubeconfigRequest({})),
      E.csForbidden,
      403,
    );
    expect(await certStates(UID.bob)).toEqual({ 'c-prod-1': 'Removed', 'c-staging-1': 'Unissued' });
  });
});

test('a deleted RAM user keeps a valid kubeconfig until it is cleaned — the risk this project exists for', async () => {
  const { ram } = clients(emu);
  await deleteAlice(ram);
  await expectApiError(ram.getUser(new $Ram.GetUserRequest({ userName: 'alice' })), E.userNotFound, 404);

  // The user is gone, her kubeconfigs and RBAC grants are not.
  expect(await certStates(UID.alice)).toEqual({ 'c-prod-1': 'Unexpired', 'c-staging-1': 'Unexpired' });
  expect(await grants(UID.alice)).toEqual(['c-prod-1:dev', 'c-staging-1/payments:dev']);
  const { body } = await cs.listClusterKubeconfigStates(
    'c-prod-1',
    new $Cs.ListClusterKubeconfigStatesRequest({ pageSize: 50 }),
  );
  expect(body?.states?.find((s) => s.accountId === UID.alice)).toMatchObject({
    accountState: 'Deleted',
    certState: 'Unexpired',
  });

  // They can still be cleaned by uid.
  const task = await clean(UID.alice);
  await waitForTask(task.body!.taskId!);
  expect(await certStates(UID.alice)).toEqual({ 'c-prod-1': 'Removed', 'c-staging-1': 'Removed' });
});

test('the journal proves the order of operations', async () => {
  const task = await clean(UID.alice);
  await waitForTask(task.body!.taskId!);
  await clients(emu, 'root').ram.getUser(new $Ram.GetUserRequest({ userName: 'alice' }));
  const entries = await journal(emu);
  expect(entries.map((e) => [e.seq, e.product, e.action, e.caller.identity])).toEqual([
    [1, 'cs', 'CleanUserPermissions', 'user/offboarding-bot'],
    ...entries.slice(1, -1).map((_e, i) => [i + 2, 'cs', 'DescribeTaskInfo', 'user/offboarding-bot']),
    [entries.length, 'ram', 'GetUser', 'root'],
  ]);
  expect(entries[0]).toMatchObject({ params: { Uid: UID.alice }, response: { task_id: task.body?.taskId } });
});

test('a task-fail fault makes the clean task end in fail without changing anything', async () => {
  await admin(emu, 'POST', 'faults', { rules: [{ action: 'CleanUserPermissions', kind: 'task-fail', count: 1 }] });
  const failing = await clean(UID.ci, { force: true });
  const failed = await waitForTask(failing.body!.taskId!);
  expect(failed).toMatchObject({ state: 'fail', error: { code: E.cleanTaskFailed } });
  expect(await certStates(UID.ci)).toEqual({ 'c-prod-1': 'Unissued', 'c-staging-1': 'Unexpired' });
});
