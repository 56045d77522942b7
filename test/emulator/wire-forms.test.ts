import * as $Cs from '@alicloud/cs20151215';
import * as $Ram from '@alicloud/ram20150501';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import { type RunningEmulator, startEmulator } from '../../emulator';
import { parseBoolean, parseInteger, parseList } from '../../emulator/param-types';
import { clients, expectApiError, UID } from './clients';

/**
 * Typed parameters in every official SDK's rendering (issue 13 item 16): the Python SDKs send booleans as `True` and
 * `False`, and some generations send string arrays as JSON. The Node SDK cannot be made to send those forms through
 * its request models, so these tests add them as global query parameters, signed like any other.
 * test/conformance/python_sdk.py drives the same calls with the Python SDKs themselves.
 */

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, taskDelayMs: 20 });
});
beforeEach(() => emu.reset());
afterAll(() => emu.close());

/** Clients of the worker that add `queries` to every request, as another SDK would render them. */
const renderedAs = (queries: Record<string, string>) =>
  clients(emu, 'user/offboarding-bot', { globalParameters: new $OpenApiUtil.GlobalParameters({ queries }) });

test('the readers accept what the SDKs send and refuse what no type allows', () => {
  expect(['true', 'True', 'TRUE', 'false', 'False'].map(parseBoolean)).toEqual([true, true, true, false, false]);
  expect(['1', 'yes', ''].map(parseBoolean)).toEqual([undefined, undefined, undefined]);
  expect(['30', '-1', '+5', '3.5', '1e3', ''].map(parseInteger)).toEqual([30, -1, 5, undefined, undefined, undefined]);
  expect(parseList('c-1,c-2')).toEqual(['c-1', 'c-2']);
  expect(parseList('["c-1","c-2"]')).toEqual(['c-1', 'c-2']);
  expect(parseList('[1,2]')).toBeUndefined();
  expect(parseList('[')).toBeUndefined();
});

test('CleanUserPermissions with Force=True (Python’s rendering) forces the clean; Force=False does not', async () => {
  await expectApiError(
    renderedAs({ Force: 'False' }).cs.cleanUserPermissions(UID.bob, new $Cs.CleanUserPermissionsRequest({})),
    E.recentClusterAccess,
    400,
  );
  const { body } = await renderedAs({ Force: 'True' }).cs.cleanUserPermissions(
    UID.bob,
    new $Cs.CleanUserPermissionsRequest({}),
  );
  expect(body?.taskId).toBeDefined();
  await expectApiError(
    renderedAs({ Force: 'yes' }).cs.cleanUserPermissions(UID.bob, new $Cs.CleanUserPermissionsRequest({})),
    E.csInvalidParameter,
    400,
  );
});

test('ClusterIds as a JSON array names the same clusters as the comma-joined form', async () => {
  const { cs } = renderedAs({ ClusterIds: '["c-staging-1"]', Force: 'True' });
  const { body } = await cs.cleanUserPermissions(UID.alice, new $Cs.CleanUserPermissionsRequest({}));
  const task = await cs.describeTaskInfo(body!.taskId!);
  expect(task.body?.parameters).toMatchObject({ cluster_ids: 'c-staging-1' });
});

test('other booleans: cloudServiceKubeConfig, PrivateIpAddress, PasswordResetRequired', async () => {
  const cloud = await renderedAs({ cloudServiceKubeConfig: 'True' }).cs.listClusterKubeconfigStates(
    'c-prod-1',
    new $Cs.ListClusterKubeconfigStatesRequest({}),
  );
  expect(cloud.body?.states).toEqual([]);
  const asBob = clients(emu, 'user/bob', {
    globalParameters: new $OpenApiUtil.GlobalParameters({ queries: { PrivateIpAddress: 'True' } }),
  }).cs;
  const kubeconfig = await asBob.describeClusterUserKubeconfig(
    'c-prod-1',
    new $Cs.DescribeClusterUserKubeconfigRequest({}),
  );
  expect(kubeconfig.body?.config).toContain('server: https://192.168.0.1:6443');
  // Before, `PasswordResetRequired=True` was silently read as false.
  const { ram } = renderedAs({ PasswordResetRequired: 'True' });
  await ram.createLoginProfile(
    new $Ram.CreateLoginProfileRequest({ userName: 'ci-deployer', password: 'Passw0rdPassw0rd' }),
  );
  const profile = await ram.getLoginProfile(new $Ram.GetLoginProfileRequest({ userName: 'ci-deployer' }));
  expect(profile.body?.loginProfile?.passwordResetRequired).toBe(true);
  await expectApiError(
    renderedAs({ MFABindRequired: 'maybe' }).ram.createLoginProfile(
      new $Ram.CreateLoginProfileRequest({ userName: 'ci-deployer', password: 'Passw0rdPassw0rd' }),
    ),
    E.ramInvalidParameter,
    400,
  );
});
