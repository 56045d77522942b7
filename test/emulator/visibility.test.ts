import type Cs from '@alicloud/cs20151215';
import * as $Cs from '@alicloud/cs20151215';
import * as $Ram from '@alicloud/ram20150501';
import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import { type RunningEmulator, startEmulator } from '../../emulator';
import {
  admin,
  certStates as certStatesOf,
  clients,
  expectApiError,
  journal,
  finishedTask,
  sdkError,
  setCluster,
  setOptions,
  startWithFixture,
  UID,
} from './clients';

/**
 * What the worker cannot see, and must fail closed on (issue 13 item 5): grants on clusters where it is not RBAC
 * admin, clusters past the first page, pages without a total, an answer from something that is not Alibaba's gateway,
 * and kubeconfig states the service reports as Unknown.
 */

let emu: RunningEmulator;
let cs: Cs;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, taskDelayMs: 50 });
  cs = clients(emu).cs;
});
beforeEach(() => emu.reset());
afterAll(() => emu.close());

const grantIds = async (uid: string, client: Cs = cs): Promise<string[]> =>
  (await client.describeUserPermission(uid)).body!.map((g) => `${g.resourceId}:${g.roleType}`).sort();

const certStates = (uid: string) => certStatesOf(cs, uid);

describe('grants on clusters where the worker is not RBAC admin', () => {
  test('once the worker is admin of c-prod-1 only, DescribeUserPermission hides every grant on c-staging-1', async () => {
    expect(await grantIds(UID.alice)).toEqual(['c-prod-1:dev', 'c-staging-1/payments:dev']);
    // The account makes the worker RBAC admin of one cluster (GrantPermissions overwrites all its grants).
    await clients(emu, 'root').cs.grantPermissions(
      UID.bot,
      new $Cs.GrantPermissionsRequest({
        body: [new $Cs.GrantPermissionsRequestBody({ cluster: 'c-prod-1', roleType: 'cluster', roleName: 'admin' })],
      }),
    );
    expect(await grantIds(UID.alice)).toEqual(['c-prod-1:dev']);
    // What the worker can learn about itself: admin of c-prod-1, nothing about c-staging-1.
    expect(await grantIds(UID.bot)).toEqual(['c-prod-1:admin']);
    // The account still sees everything.
    expect(await grantIds(UID.alice, clients(emu, 'root').cs)).toEqual(['c-prod-1:dev', 'c-staging-1/payments:dev']);
    // Kubeconfig states are not filtered: the worker sees a kubeconfig whose grants it cannot see.
    expect(await certStates(UID.alice)).toEqual({ 'c-prod-1': 'Unexpired', 'c-staging-1': 'Unexpired' });
  });

  test('the same from a fixture: the worker admin of c-prod-1 only', async () => {
    const partial = await startWithFixture((f) => {
      const grants = f.grants as { identity: string; cluster?: string; role: string }[];
      grants.find((g) => g.identity === 'user/offboarding-bot')!.cluster = 'c-prod-1';
    });
    try {
      expect(await grantIds(UID.alice, clients(partial).cs)).toEqual(['c-prod-1:dev']);
    } finally {
      await partial.close();
    }
  });
});

describe('many clusters', () => {
  let many: RunningEmulator;
  beforeAll(async () => {
    many = await startWithFixture((f) => {
      f.generatedClusters = { count: 150, kubeconfigsOf: ['user/alice'] };
    });
  });
  afterAll(() => many.close());

  test('DescribeClustersV1 pages 100 at most: 152 clusters take two pages, and page_size 101 is refused', async () => {
    const c = clients(many).cs;
    const page = (pageNumber: number) =>
      c.describeClustersV1(new $Cs.DescribeClustersV1Request({ pageSize: 100, pageNumber }));
    const first = (await page(1)).body!;
    expect(first.clusters).toHaveLength(100);
    expect(first.pageInfo).toEqual({ pageNumber: 1, pageSize: 100, totalCount: 152 });
    expect(first.clusters![0].clusterId).toBe('c-gen-0001');
    const second = (await page(2)).body!;
    expect(second.clusters!.map((x) => x.clusterId).slice(-3)).toEqual(['c-gen-0150', 'c-prod-1', 'c-staging-1']);
    expect(second.clusters).toHaveLength(52);
    await expectApiError(
      c.describeClustersV1(new $Cs.DescribeClustersV1Request({ pageSize: 101 })),
      E.csInvalidParameter,
      400,
    );
    // Without page_size: 10 per page.
    expect((await c.describeClustersV1(new $Cs.DescribeClustersV1Request({}))).body?.clusters).toHaveLength(10);
  });

  test('the departing identity holds a kubeconfig on every generated cluster: the last one is on page 2', async () => {
    const c = clients(many).cs;
    const page2 = await c.listUserKubeConfigStates(
      UID.alice,
      new $Cs.ListUserKubeConfigStatesRequest({ pageSize: 100, pageNumber: 2 }),
    );
    expect(page2.body?.page).toEqual({ pageNumber: 2, pageSize: 100, totalCount: 152 });
    expect(page2.body?.states?.find((s) => s.clusterId === 'c-gen-0150')?.certState).toBe('Unexpired');
  });
});

test('omitKubeconfigStatesTotalCount: ListUserKubeConfigStates pages carry no total_count', async () => {
  const page = () =>
    cs.listUserKubeConfigStates(UID.alice, new $Cs.ListUserKubeConfigStatesRequest({ pageSize: 1, pageNumber: 1 }));
  expect((await page()).body?.page?.totalCount).toBe(2);
  await setOptions(emu, { omitKubeconfigStatesTotalCount: true });
  expect((await page()).body?.page).toEqual({ pageNumber: 1, pageSize: 1 });
  expect(await admin(emu, 'GET', 'options')).toMatchObject({ omitKubeconfigStatesTotalCount: true });
  // Options are checked whole; reset goes back to the fixture's.
  await expect(setOptions(emu, { omitKubeconfigStatesTotalCount: 'yes' })).rejects.toThrow(/400/);
  await expect(setOptions(emu, { noSuchOption: true })).rejects.toThrow(/400/);
  emu.reset();
  expect((await page()).body?.page?.totalCount).toBe(2);
});

describe('foreign-error: an answer that is not from Alibaba’s gateway', () => {
  const deleteBob = () => clients(emu).ram.deleteLoginProfile(new $Ram.DeleteLoginProfileRequest({ userName: 'bob' }));

  test('a bare 404 with an HTML page (a mis-pointed endpoint): the SDK cannot parse it; nothing happened', async () => {
    await admin(emu, 'POST', 'faults', { rules: [{ action: 'DeleteLoginProfile', kind: 'foreign-error', count: 1 }] });
    const err = await sdkError(deleteBob());
    expect(err.name).toBe('SyntaxError');
    const [entry] = await journal(emu);
    expect(entry).toMatchObject({ action: 'DeleteLoginProfile', statusCode: 404, fault: 'foreign-error' });
    expect(entry.errorCode).toBeUndefined();
    // The login profile is still there: "not found" here does not mean "already gone".
    await deleteBob();
  });

  test('a 404 with a JSON body that is not Alibaba’s: a ClientError without an Alibaba code or request id', async () => {
    await admin(emu, 'POST', 'faults', {
      rules: [{ action: 'DeleteLoginProfile', kind: 'foreign-error', body: 'json', count: 1 }],
    });
    const err = await sdkError(deleteBob());
    // The SDK turns the missing code into the string "undefined" (reference §3.5).
    expect({ name: err.name, statusCode: err.statusCode, code: err.code }).toEqual({
      name: 'ClientError',
      statusCode: 404,
      code: 'undefined',
    });
    await deleteBob();
  });

  test('raw: the status, the content type and the body are the foreign server’s', async () => {
    await admin(emu, 'POST', 'faults', {
      rules: [
        { action: 'DescribeClustersV1', kind: 'foreign-error', body: 'text', count: 1 },
        { action: 'DescribeClustersV1', kind: 'foreign-error', statusCode: 502, count: 1 },
      ],
    });
    const text = await sdkError(cs.describeClustersV1(new $Cs.DescribeClustersV1Request({})));
    expect(text.name).toBe('SyntaxError');
    const proxy = await sdkError(cs.describeClustersV1(new $Cs.DescribeClustersV1Request({})));
    expect(proxy.name).toBe('SyntaxError');
    expect((await journal(emu)).map((e) => e.statusCode)).toEqual([404, 502]);
  });
});

describe('cert_state Unknown', () => {
  test('certStatesUnknown: issued kubeconfigs on the cluster read Unknown, and a clean does not change that', async () => {
    await setCluster(emu, 'c-staging-1', { certStatesUnknown: true });
    expect(await certStates(UID.alice)).toEqual({ 'c-prod-1': 'Unexpired', 'c-staging-1': 'Unknown' });
    // Never issued stays Unissued.
    expect(await certStates(UID.bob)).toEqual({ 'c-prod-1': 'Unexpired', 'c-staging-1': 'Unissued' });
    const task = await cs.cleanUserPermissions(UID.alice, new $Cs.CleanUserPermissionsRequest({ force: true }));
    expect((await finishedTask(cs, task.body!.taskId!)).state).toBe('success');
    expect(await certStates(UID.alice)).toEqual({ 'c-prod-1': 'Removed', 'c-staging-1': 'Unknown' });
    const { body } = await cs.listClusterKubeconfigStates(
      'c-staging-1',
      new $Cs.ListClusterKubeconfigStatesRequest({}),
    );
    expect(body?.states?.find((s) => s.accountId === UID.alice)?.certState).toBe('Unknown');
    // Once the service can read the cluster again, the record underneath shows.
    await setCluster(emu, 'c-staging-1', { certStatesUnknown: false });
    expect(await certStates(UID.alice)).toEqual({ 'c-prod-1': 'Removed', 'c-staging-1': 'Removed' });
  });

  test('a kubeconfig record whose state is Unknown in the fixture; unknown clusters and switches are refused', async () => {
    const unknown = await startWithFixture((f) => {
      const k = f.kubeconfigs as { identity: string; cluster: string; state: string }[];
      k.find((x) => x.identity === 'user/alice' && x.cluster === 'c-prod-1')!.state = 'Unknown';
    });
    try {
      const { body } = await clients(unknown).cs.listUserKubeConfigStates(
        UID.alice,
        new $Cs.ListUserKubeConfigStatesRequest({}),
      );
      expect(body?.states?.map((s) => [s.clusterId, s.certState])).toEqual([
        ['c-prod-1', 'Unknown'],
        ['c-staging-1', 'Unexpired'],
      ]);
    } finally {
      await unknown.close();
    }
    await expect(setCluster(emu, 'c-nope', { certStatesUnknown: true })).rejects.toThrow(/404/);
    await expect(setCluster(emu, 'c-prod-1', { name: 'renamed' })).rejects.toThrow(/400/);
  });
});
