/**
 * The baseline the bulk benchmark compares against: a careful script an engineer would write with the official SDKs,
 * taking one identity after another to the point a run reaches AwaitingApproval — inventory, quarantine (deny policy,
 * console login removed, keys deactivated), clean with Alibaba's task followed to its end, and a verification read.
 * No Temporal, no retries beyond the SDK's own, no audit: only the Alibaba calls.
 */
import * as $cs from '@alicloud/cs20151215';
import * as $ram from '@alicloud/ram20150501';
import { type AlibabaClients } from '../../activities/alibaba';

const DENY_POLICY = 'AcsOffboardingDenyAll';
const DENY_DOCUMENT = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Offboards `userNames` one after another up to the approval point; returns the Alibaba calls it made. */
export async function sequentialOffboard(clients: AlibabaClients, userNames: readonly string[]): Promise<number> {
  const { ram, cs } = clients;
  let calls = 0;
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    calls++;
    return fn();
  };
  const tolerate404 = async (fn: () => Promise<unknown>) => {
    try {
      await call(fn);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    }
  };
  await tolerate404(() =>
    ram.createPolicy(new $ram.CreatePolicyRequest({ policyName: DENY_POLICY, policyDocument: DENY_DOCUMENT })),
  ).catch(() => undefined); // already there
  await call(() => cs.describeClustersV1(new $cs.DescribeClustersV1Request({ pageNumber: 1, pageSize: 100 })));

  for (const userName of userNames) {
    const user = await call(() => ram.getUser(new $ram.GetUserRequest({ userName })));
    const uid = user.body?.user?.userId ?? '';
    const keys = await call(() => ram.listAccessKeys(new $ram.ListAccessKeysRequest({ userName })));
    await tolerate404(() => ram.getLoginProfile(new $ram.GetLoginProfileRequest({ userName })));
    await tolerate404(() => ram.getUserMFAInfo(new $ram.GetUserMFAInfoRequest({ userName })));
    await call(() => ram.listGroupsForUser(new $ram.ListGroupsForUserRequest({ userName })));
    await call(() => ram.listPoliciesForUser(new $ram.ListPoliciesForUserRequest({ userName })));
    await call(() => cs.listUserKubeConfigStates(uid, new $cs.ListUserKubeConfigStatesRequest({ pageSize: 100 })));
    await call(() => cs.describeUserPermission(uid));

    await call(() =>
      ram.attachPolicyToUser(
        new $ram.AttachPolicyToUserRequest({ policyType: 'Custom', policyName: DENY_POLICY, userName }),
      ),
    );
    for (const k of keys.body?.accessKeys?.accessKey ?? []) {
      if (k.status !== 'Active') continue;
      await call(() =>
        ram.updateAccessKey(
          new $ram.UpdateAccessKeyRequest({ userName, userAccessKeyId: k.accessKeyId, status: 'Inactive' }),
        ),
      );
    }
    await tolerate404(() => ram.deleteLoginProfile(new $ram.DeleteLoginProfileRequest({ userName })));

    const clean = await call(() => cs.cleanUserPermissions(uid, new $cs.CleanUserPermissionsRequest({ force: false })));
    const taskId = clean.body?.taskId ?? '';
    for (;;) {
      const task = await call(() => cs.describeTaskInfo(taskId));
      if (task.body?.state === 'success') break;
      if (task.body?.state !== 'running')
        throw new Error(`clean task ${taskId} of ${userName} ended ${task.body?.state}`);
      await sleep(100);
    }
    const states = await call(() =>
      cs.listUserKubeConfigStates(uid, new $cs.ListUserKubeConfigStatesRequest({ pageSize: 100 })),
    );
    if ((states.body?.states ?? []).some((s) => s.certState === 'Unexpired')) {
      throw new Error(`${userName}: a kubeconfig is still Unexpired after the clean`);
    }
    await call(() => cs.describeUserPermission(uid));
  }
  return calls;
}
