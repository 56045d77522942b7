/**
 * What people do to identities outside a run, with the account's root key as in the console: delete a user, hire
 * someone again under the same name, give back a grant and a kubeconfig (undoing the run's quarantine first), narrow the worker's RBAC admin scope. The
 * workflow tests and the property test change the world between a run's stages with these. Each call is retried on
 * transient faults (the property test injects them for every caller) and treats "already so" as done.
 */
import CsClient, * as $cs from '@alicloud/cs20151215';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import RamClient, * as $ram from '@alicloud/ram20150501';

import { DENY_ALL_POLICY } from '../../common/lockout';

export interface OutsideWorld {
  /** The emulator's `host:port`. */
  endpoint: string;
  rootKey: { id: string; secret: string };
}

function config(world: OutsideWorld, key: { id: string; secret: string }): $OpenApiUtil.Config {
  return new $OpenApiUtil.Config({
    accessKeyId: key.id,
    accessKeySecret: key.secret,
    endpoint: world.endpoint,
    protocol: 'http',
    regionId: 'cn-hangzhou',
  });
}

interface SdkError {
  name?: string;
  code?: string;
  statusCode?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries throttling, 5xx and dropped connections; a NotFound or AlreadyExists answer counts as done. */
async function retrying<T>(call: () => Promise<T>): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const e = err as SdkError;
      const code = e.code ?? '';
      if (code.startsWith('EntityNotExist') || code.startsWith('EntityAlreadyExists')) return undefined;
      const transient =
        e.name === 'ThrottlingError' ||
        e.name === 'ServerError' ||
        e.name === 'RequestTimeoutError' ||
        (e.statusCode ?? 0) >= 500 ||
        /ECONNRESET|socket hang up/.test(String((err as Error).message));
      if (!transient || attempt >= 8) throw err;
      await sleep(100 * attempt);
    }
  }
}

/** Deletes a RAM user as an admin would: everything DeleteUser refuses over first, then the user. */
export async function deleteUserOutsideRun(world: OutsideWorld, userName: string): Promise<void> {
  const ram = new RamClient(config(world, world.rootKey));
  const keys = await retrying(() => ram.listAccessKeys(new $ram.ListAccessKeysRequest({ userName })));
  for (const k of keys?.body?.accessKeys?.accessKey ?? []) {
    await retrying(() =>
      ram.deleteAccessKey(new $ram.DeleteAccessKeyRequest({ userName, userAccessKeyId: k.accessKeyId })),
    );
  }
  const groups = await retrying(() => ram.listGroupsForUser(new $ram.ListGroupsForUserRequest({ userName })));
  for (const g of groups?.body?.groups?.group ?? []) {
    await retrying(() =>
      ram.removeUserFromGroup(new $ram.RemoveUserFromGroupRequest({ userName, groupName: g.groupName })),
    );
  }
  const policies = await retrying(() => ram.listPoliciesForUser(new $ram.ListPoliciesForUserRequest({ userName })));
  for (const p of policies?.body?.policies?.policy ?? []) {
    await retrying(() =>
      ram.detachPolicyFromUser(
        new $ram.DetachPolicyFromUserRequest({ userName, policyName: p.policyName, policyType: p.policyType }),
      ),
    );
  }
  await retrying(() => ram.deleteLoginProfile(new $ram.DeleteLoginProfileRequest({ userName })));
  await retrying(() => ram.unbindMFADevice(new $ram.UnbindMFADeviceRequest({ userName })));
  await retrying(() => ram.deleteUser(new $ram.DeleteUserRequest({ userName })));
}

/**
 * A rehire: the user is deleted and someone is created again under the same name (a new uid), and joins a group —
 * something a deletion acting on the name would take away from the wrong person. Returns the new uid.
 */
export async function rehireUser(world: OutsideWorld, userName: string): Promise<string> {
  const ram = new RamClient(config(world, world.rootKey));
  await deleteUserOutsideRun(world, userName);
  await retrying(() => ram.createUser(new $ram.CreateUserRequest({ userName, displayName: `${userName} (rehired)` })));
  await retrying(() => ram.addUserToGroup(new $ram.AddUserToGroupRequest({ userName, groupName: 'developers' })));
  const user = await retrying(() => ram.getUser(new $ram.GetUserRequest({ userName })));
  const uid = user?.body?.user?.userId;
  if (!uid) throw new Error(`${userName} was not re-created`);
  return uid;
}

/**
 * Makes a revoked identity's access usable again: an admin gives back a grant on the cluster and turns the user's
 * key back on, and the user fetches a fresh kubeconfig with it.
 */
export async function reissueKubeconfig(
  world: OutsideWorld,
  user: { name: string; uid: string; key: { id: string; secret: string } },
  clusterId: string,
): Promise<void> {
  const ram = new RamClient(config(world, world.rootKey));
  const cs = new CsClient(config(world, world.rootKey));
  // Whoever gives access back must first undo the run's quarantine, or the user's own call below is denied.
  await retrying(() =>
    ram.detachPolicyFromUser(
      new $ram.DetachPolicyFromUserRequest({ userName: user.name, policyName: DENY_ALL_POLICY, policyType: 'Custom' }),
    ),
  );
  await retrying(() =>
    ram.updateAccessKey(
      new $ram.UpdateAccessKeyRequest({ userName: user.name, userAccessKeyId: user.key.id, status: 'Active' }),
    ),
  );
  await retrying(() =>
    cs.grantPermissions(
      user.uid,
      new $cs.GrantPermissionsRequest({
        body: [
          new $cs.GrantPermissionsRequestBody({
            cluster: clusterId,
            roleType: 'cluster',
            roleName: 'dev',
            isCustom: false,
          }),
        ],
      }),
    ),
  );
  const own = new CsClient(config(world, user.key));
  await retrying(() => own.describeClusterUserKubeconfig(clusterId, new $cs.DescribeClusterUserKubeconfigRequest({})));
}

/** The account overwrites the worker's grants: it stays RBAC admin of `clusterIds` only. */
export async function limitWorkerAdminTo(world: OutsideWorld, workerUid: string, clusterIds: string[]): Promise<void> {
  const cs = new CsClient(config(world, world.rootKey));
  await retrying(() =>
    cs.grantPermissions(
      workerUid,
      new $cs.GrantPermissionsRequest({
        body: clusterIds.map(
          (cluster) =>
            new $cs.GrantPermissionsRequestBody({ cluster, roleType: 'cluster', roleName: 'admin', isCustom: false }),
        ),
      }),
    ),
  );
}

/** The outside world of a harness's emulator: its endpoint and the account's root key. */
export function outsideWorldOf(emulator: {
  endpoint: string;
  fixture: { account: { rootAccessKeys: Array<{ id: string; secret: string }> } };
}): OutsideWorld {
  return { endpoint: emulator.endpoint, rootKey: emulator.fixture.account.rootAccessKeys[0] };
}

/** The demo fixture's alice: her uid and her own (first) access key. */
export function aliceOf(emulator: {
  fixture: { users: Array<{ name: string; id: string; accessKeys: Array<{ id: string; secret: string }> }> };
}): { name: string; uid: string; key: { id: string; secret: string } } {
  const alice = emulator.fixture.users.find((u) => u.name === 'alice');
  if (!alice) throw new Error('the fixture has no alice');
  return { name: alice.name, uid: alice.id, key: alice.accessKeys[0] };
}
