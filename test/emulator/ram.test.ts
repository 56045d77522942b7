import * as $Cs from '@alicloud/cs20151215';
import type Ram from '@alicloud/ram20150501';
import * as $Ram from '@alicloud/ram20150501';
import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import { type RunningEmulator, startEmulator } from '../../emulator';
import { ACCOUNT, clients, clientsWithKey, expectApiError, journal, sdkError, startWithFixture, UID } from './clients';

/** Every RAM operation of issue 3 through the official SDK: happy paths, then each error code it can answer with. */

let emu: RunningEmulator;
let ram: Ram;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  ram = clients(emu).ram;
});
beforeEach(() => emu.reset());
afterAll(() => emu.close());

const user = (userName: string) => ({ userName });
const systemPolicy = (policyName: string) => ({ policyName, policyType: 'System' });

describe('users', () => {
  test('GetUser returns the user with its numeric id and last login', async () => {
    const { body } = await ram.getUser(new $Ram.GetUserRequest(user('alice')));
    expect(body?.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(body?.user).toMatchObject({
      userId: UID.alice,
      userName: 'alice',
      displayName: 'Alice Liu',
      email: 'alice@example.com',
    });
    // "-21d" in the fixture is relative to load time.
    const lastLogin = Date.parse(body!.user!.lastLoginDate!);
    expect(Date.now() - lastLogin).toBeGreaterThan(20 * 86_400_000);
    expect(Date.now() - lastLogin).toBeLessThan(22 * 86_400_000);
  });

  test('GetUser of a missing user is EntityNotExist.User 404; a bad name is rejected before lookup', async () => {
    await expectApiError(ram.getUser(new $Ram.GetUserRequest(user('nobody'))), E.userNotFound, 404);
    await expectApiError(ram.getUser(new $Ram.GetUserRequest(user('bad name!'))), E.invalidUserName, 400);
    await expectApiError(ram.getUser(new $Ram.GetUserRequest(user('x'.repeat(65)))), E.invalidUserNameLength, 400);
    await expectApiError(ram.getUser(new $Ram.GetUserRequest({})), E.missingParameter, 400);
  });

  test('ListUsers pages with Marker/MaxItems and never lists deleted users', async () => {
    const names: string[] = [];
    let marker: string | undefined;
    for (let page = 0; page < 10; page++) {
      const { body } = await ram.listUsers(new $Ram.ListUsersRequest({ maxItems: 2, ...(marker && { marker }) }));
      names.push(...body!.users!.user!.map((u) => u.userName!));
      if (!body!.isTruncated) break;
      marker = body!.marker;
    }
    expect(names).toEqual(['alice', 'bob', 'carol', 'ci-deployer', 'dave', 'offboarding-bot']);
    await expectApiError(ram.listUsers(new $Ram.ListUsersRequest({ maxItems: 1001 })), E.invalidMaxItems, 400);
    await expectApiError(ram.listUsers(new $Ram.ListUsersRequest({ marker: 'garbage' })), E.invalidMarker, 400);
  });

  test('CreateUser creates a user with a fresh 16-digit id; a duplicate is EntityAlreadyExists.User 409', async () => {
    const { body } = await ram.createUser(
      new $Ram.CreateUserRequest({ userName: 'erin', displayName: 'Erin', email: 'erin@example.com' }),
    );
    expect(body?.user).toMatchObject({ userName: 'erin', displayName: 'Erin', email: 'erin@example.com' });
    expect(body?.user?.userId).toMatch(/^[1-9]\d{15}$/);
    const got = await ram.getUser(new $Ram.GetUserRequest(user('erin')));
    expect(got.body?.user?.userId).toBe(body?.user?.userId);
    await expectApiError(ram.createUser(new $Ram.CreateUserRequest({ userName: 'erin' })), E.userAlreadyExists, 409);
  });

  test('DeleteUser refuses, one conflict at a time, until every prerequisite is removed', async () => {
    const del = () => ram.deleteUser(new $Ram.DeleteUserRequest(user('alice')));
    await expectApiError(del(), E.deleteConflictUserPolicy, 409);
    for (const p of ['AliyunCSReadOnlyAccess', 'AliyunOSSReadOnlyAccess']) {
      await ram.detachPolicyFromUser(new $Ram.DetachPolicyFromUserRequest({ ...systemPolicy(p), userName: 'alice' }));
    }
    await expectApiError(del(), E.deleteConflictUserGroup, 409);
    await ram.removeUserFromGroup(new $Ram.RemoveUserFromGroupRequest({ userName: 'alice', groupName: 'developers' }));
    await expectApiError(del(), E.deleteConflictUserAccessKey, 409);
    await ram.deleteAccessKey(
      new $Ram.DeleteAccessKeyRequest({ userName: 'alice', userAccessKeyId: 'LTAIdemoAlice000000001' }),
    );
    await expectApiError(del(), E.deleteConflictUserLoginProfile, 409);
    await ram.deleteLoginProfile(new $Ram.DeleteLoginProfileRequest(user('alice')));
    await expectApiError(del(), E.deleteConflictUserMfa, 409);
    await ram.unbindMFADevice(new $Ram.UnbindMFADeviceRequest(user('alice')));
    await del();
    await expectApiError(ram.getUser(new $Ram.GetUserRequest(user('alice'))), E.userNotFound, 404);
    await expectApiError(del(), E.userNotFound, 404);
  });

  test('with deleteUserRequiresNoCredentials off, DeleteUser needs only policies and groups gone, and the keys die with the user', async () => {
    const lenient = await startWithFixture((f) => {
      f.options = { deleteUserRequiresNoCredentials: false };
    });
    try {
      const { ram: r } = clients(lenient, 'root');
      await r.detachPolicyFromUser(
        new $Ram.DetachPolicyFromUserRequest({ ...systemPolicy('AliyunCSReadOnlyAccess'), userName: 'bob' }),
      );
      await expectApiError(r.deleteUser(new $Ram.DeleteUserRequest(user('bob'))), E.deleteConflictUserGroup, 409);
      await r.removeUserFromGroup(new $Ram.RemoveUserFromGroupRequest({ userName: 'bob', groupName: 'developers' }));
      // bob still has an access key and a login profile: accepted under the newer rule.
      await r.deleteUser(new $Ram.DeleteUserRequest(user('bob')));
      const err = await sdkError(
        clients(lenient, 'user/bob').cs.describeClustersV1(new $Cs.DescribeClustersV1Request({})),
      );
      expect([err.code, err.statusCode]).toEqual([E.accessKeyNotFound, 404]);
    } finally {
      await lenient.close();
    }
  });
});

describe('roles', () => {
  test('GetRole and ListRoles show the role with a distinct 19-digit id and its ARN', async () => {
    const { body } = await ram.getRole(new $Ram.GetRoleRequest({ roleName: 'legacy-deploy-role' }));
    expect(body?.role).toMatchObject({
      roleId: UID.legacyRole,
      roleName: 'legacy-deploy-role',
      arn: `acs:ram::${ACCOUNT}:role/legacy-deploy-role`,
      maxSessionDuration: 3600,
    });
    expect(JSON.parse(body!.role!.assumeRolePolicyDocument!)).toMatchObject({ Version: '1' });
    const list = await ram.listRoles(new $Ram.ListRolesRequest({}));
    expect(list.body?.roles?.role?.map((r) => r.roleName)).toEqual(['legacy-deploy-role']);
    expect(list.body?.isTruncated).toBe(false);
    await expectApiError(ram.getRole(new $Ram.GetRoleRequest({ roleName: 'nope' })), E.roleNotFound, 404);
  });

  test('DeleteRole refuses while policies are attached, then deletes; DetachPolicyFromRole reports a missing attachment', async () => {
    const del = () => ram.deleteRole(new $Ram.DeleteRoleRequest({ roleName: 'legacy-deploy-role' }));
    await expectApiError(del(), E.deleteConflictRolePolicy, 409);
    const policies = await ram.listPoliciesForRole(
      new $Ram.ListPoliciesForRoleRequest({ roleName: 'legacy-deploy-role' }),
    );
    expect(policies.body?.policies?.policy?.map((p) => [p.policyName, p.policyType])).toEqual([
      ['AliyunCSReadOnlyAccess', 'System'],
    ]);
    const detach = () =>
      ram.detachPolicyFromRole(
        new $Ram.DetachPolicyFromRoleRequest({
          ...systemPolicy('AliyunCSReadOnlyAccess'),
          roleName: 'legacy-deploy-role',
        }),
      );
    await detach();
    await expectApiError(detach(), E.rolePolicyNotFound, 404);
    await del();
    await expectApiError(del(), E.roleNotFound, 404);
    await expectApiError(
      ram.listPoliciesForRole(new $Ram.ListPoliciesForRoleRequest({ roleName: 'legacy-deploy-role' })),
      E.roleNotFound,
      404,
    );
  });
});

describe('access keys', () => {
  test('ListAccessKeys, GetAccessKeyLastUsed, UpdateAccessKey (deactivate and reactivate)', async () => {
    const keys = await ram.listAccessKeys(new $Ram.ListAccessKeysRequest(user('ci-deployer')));
    expect(keys.body?.accessKeys?.accessKey).toEqual([
      expect.objectContaining({ accessKeyId: 'LTAIdemoCiDeployer0001', status: 'Active' }),
    ]);
    const last = await ram.getAccessKeyLastUsed(
      new $Ram.GetAccessKeyLastUsedRequest({ userName: 'ci-deployer', userAccessKeyId: 'LTAIdemoCiDeployer0001' }),
    );
    // The pipeline used it five minutes ago: a dependency the offboarding must notice.
    const age = Date.now() - Date.parse(last.body!.accessKeyLastUsed!.lastUsedDate!);
    expect(age).toBeGreaterThan(4 * 60_000);
    expect(age).toBeLessThan(6 * 60_000);

    const update = (status: string) =>
      ram.updateAccessKey(
        new $Ram.UpdateAccessKeyRequest({ userName: 'ci-deployer', userAccessKeyId: 'LTAIdemoCiDeployer0001', status }),
      );
    await update('Inactive');
    const after = await ram.listAccessKeys(new $Ram.ListAccessKeysRequest(user('ci-deployer')));
    expect(after.body?.accessKeys?.accessKey?.[0].status).toBe('Inactive');
    // A deactivated key can no longer sign calls.
    const asCi = clients(emu, 'user/ci-deployer').cs;
    const err = await sdkError(asCi.describeClustersV1(new $Cs.DescribeClustersV1Request({})));
    expect([err.code, err.statusCode]).toEqual([E.accessKeyInactive, 400]);
    await update('Active');
    await asCi.describeClustersV1(new $Cs.DescribeClustersV1Request({}));
    await expectApiError(update('Sleeping'), E.invalidAccessKeyStatus, 400);
  });

  test('key operations on a key that is not the user’s are EntityNotExist.User.AccessKey 404', async () => {
    await expectApiError(
      ram.updateAccessKey(
        new $Ram.UpdateAccessKeyRequest({
          userName: 'bob',
          userAccessKeyId: 'LTAIdemoAlice000000001',
          status: 'Inactive',
        }),
      ),
      E.accessKeyOfUserNotFound,
      404,
    );
    await expectApiError(
      ram.getAccessKeyLastUsed(
        new $Ram.GetAccessKeyLastUsedRequest({ userName: 'alice', userAccessKeyId: 'LTAInope' }),
      ),
      E.accessKeyOfUserNotFound,
      404,
    );
    await expectApiError(
      ram.deleteAccessKey(new $Ram.DeleteAccessKeyRequest({ userName: 'alice', userAccessKeyId: 'LTAInope' })),
      E.accessKeyOfUserNotFound,
      404,
    );
  });

  test('CreateAccessKey returns a working secret once, at most two keys per user, and keeps the secret out of the journal', async () => {
    const { body } = await ram.createAccessKey(new $Ram.CreateAccessKeyRequest(user('bob')));
    const key = body!.accessKey!;
    expect(key).toMatchObject({ status: 'Active' });
    expect(key.accessKeyId).toMatch(/^LTAI/);
    expect(key.accessKeySecret).toHaveLength(30);
    // The new key signs calls as bob.
    const asBob = clientsWithKey(emu, key.accessKeyId!, key.accessKeySecret!).ram;
    // bob holds no RAM policy: NoPermission proves the key authenticated as bob.
    const denied = await sdkError(asBob.getUser(new $Ram.GetUserRequest(user('bob'))));
    expect([denied.code, denied.statusCode]).toEqual([E.noPermission, 403]);
    await expectApiError(
      ram.createAccessKey(new $Ram.CreateAccessKeyRequest(user('bob'))),
      E.limitExceededAccessKey,
      409,
    );
    const entry = (await journal(emu)).find((e) => e.action === 'CreateAccessKey' && e.outcome === 'success');
    expect(JSON.stringify(entry)).not.toContain(key.accessKeySecret!);
  });
});

describe('console login and MFA', () => {
  test('GetLoginProfile, DeleteLoginProfile, CreateLoginProfile round trip with their error codes', async () => {
    const get = () => ram.getLoginProfile(new $Ram.GetLoginProfileRequest(user('bob')));
    expect((await get()).body?.loginProfile).toMatchObject({
      userName: 'bob',
      passwordResetRequired: false,
      MFABindRequired: false,
    });
    await ram.deleteLoginProfile(new $Ram.DeleteLoginProfileRequest(user('bob')));
    await expectApiError(get(), E.loginProfileNotFound, 404);
    await expectApiError(
      ram.deleteLoginProfile(new $Ram.DeleteLoginProfileRequest(user('bob'))),
      E.loginProfileNotFound,
      404,
    );
    const create = (password: string) =>
      ram.createLoginProfile(
        new $Ram.CreateLoginProfileRequest({ userName: 'bob', password, passwordResetRequired: true }),
      );
    await expectApiError(create('short'), E.passwordTooWeak, 400);
    const created = await create('Restored-Access-2024');
    expect(created.body?.loginProfile).toMatchObject({ userName: 'bob', passwordResetRequired: true });
    await expectApiError(create('Restored-Access-2024'), E.loginProfileAlreadyExists, 409);
    // The password never appears in the journal.
    expect(JSON.stringify(await journal(emu))).not.toContain('Restored-Access-2024');
  });

  test('GetUserMFAInfo and UnbindMFADevice', async () => {
    const info = await ram.getUserMFAInfo(new $Ram.GetUserMFAInfoRequest(user('alice')));
    expect(info.body?.MFADevice).toEqual({ serialNumber: `acs:ram::${ACCOUNT}:mfa/alice`, type: 'VMFA' });
    const unbound = await ram.unbindMFADevice(new $Ram.UnbindMFADeviceRequest(user('alice')));
    expect(unbound.body?.MFADevice?.serialNumber).toBe(`acs:ram::${ACCOUNT}:mfa/alice`);
    await expectApiError(ram.getUserMFAInfo(new $Ram.GetUserMFAInfoRequest(user('alice'))), E.mfaDeviceNotFound, 404);
    await expectApiError(ram.unbindMFADevice(new $Ram.UnbindMFADeviceRequest(user('alice'))), E.mfaDeviceNotFound, 404);
  });
});

describe('groups and policies', () => {
  test('ListGroupsForUser, AddUserToGroup, RemoveUserFromGroup with their error codes', async () => {
    const groups = async () =>
      (await ram.listGroupsForUser(new $Ram.ListGroupsForUserRequest(user('bob')))).body?.groups?.group?.map(
        (g) => g.groupName,
      );
    expect(await groups()).toEqual(['developers']);
    await ram.addUserToGroup(new $Ram.AddUserToGroupRequest({ userName: 'bob', groupName: 'cloud-admins' }));
    expect(await groups()).toEqual(['developers', 'cloud-admins']);
    await expectApiError(
      ram.addUserToGroup(new $Ram.AddUserToGroupRequest({ userName: 'bob', groupName: 'cloud-admins' })),
      E.userGroupAlreadyExists,
      409,
    );
    await expectApiError(
      ram.addUserToGroup(new $Ram.AddUserToGroupRequest({ userName: 'bob', groupName: 'nope' })),
      E.groupNotFound,
      404,
    );
    await ram.removeUserFromGroup(new $Ram.RemoveUserFromGroupRequest({ userName: 'bob', groupName: 'cloud-admins' }));
    await expectApiError(
      ram.removeUserFromGroup(new $Ram.RemoveUserFromGroupRequest({ userName: 'bob', groupName: 'cloud-admins' })),
      E.userGroupNotFound,
      404,
    );
    expect(await groups()).toEqual(['developers']);
  });

  test('ListPoliciesForUser, AttachPolicyToUser, DetachPolicyFromUser with their error codes', async () => {
    const list = async () =>
      (await ram.listPoliciesForUser(new $Ram.ListPoliciesForUserRequest(user('bob')))).body?.policies?.policy?.map(
        (p) => p.policyName,
      );
    expect(await list()).toEqual(['AliyunCSReadOnlyAccess']);
    const attach = (policyName: string, policyType = 'System') =>
      ram.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ policyName, policyType, userName: 'bob' }));
    await attach('AliyunOSSReadOnlyAccess');
    expect(await list()).toEqual(['AliyunCSReadOnlyAccess', 'AliyunOSSReadOnlyAccess']);
    await expectApiError(attach('AliyunOSSReadOnlyAccess'), E.userPolicyAlreadyExists, 409);
    await expectApiError(attach('NoSuchPolicy'), E.policyNotFound, 404);
    await expectApiError(attach('AliyunOSSReadOnlyAccess', 'Managed'), E.invalidPolicyType, 400);
    const detach = () =>
      ram.detachPolicyFromUser(
        new $Ram.DetachPolicyFromUserRequest({ ...systemPolicy('AliyunOSSReadOnlyAccess'), userName: 'bob' }),
      );
    await detach();
    await expectApiError(detach(), E.userPolicyNotFound, 404);
  });
});

describe('who may call what', () => {
  test('a RAM user without RAM policies gets NoPermission 403 with an AccessDeniedDetail; the root key may call anything', async () => {
    const asAlice = clients(emu, 'user/alice').ram;
    const err = await sdkError(asAlice.listUsers(new $Ram.ListUsersRequest({})));
    expect([err.name, err.code, err.statusCode]).toEqual(['ClientError', E.noPermission, 403]);
    expect(err.accessDeniedDetail).toMatchObject({ AuthAction: 'ram:ListUsers', AuthPrincipalDisplayName: 'alice' });
    const asRoot = clients(emu, 'root').ram;
    expect((await asRoot.listUsers(new $Ram.ListUsersRequest({}))).body?.users?.user).toHaveLength(6);
  });

  test('read-only RAM access allows reads and refuses writes', async () => {
    const asRoot = clients(emu, 'root').ram;
    await asRoot.attachPolicyToUser(
      new $Ram.AttachPolicyToUserRequest({ ...systemPolicy('AliyunRAMReadOnlyAccess'), userName: 'bob' }),
    );
    const asBob = clients(emu, 'user/bob').ram;
    await asBob.getUser(new $Ram.GetUserRequest(user('alice')));
    await expectApiError(
      asBob.deleteLoginProfile(new $Ram.DeleteLoginProfileRequest(user('alice'))),
      E.noPermission,
      403,
    );
  });

  test('policies attached to a group grant its members access, and stop when the member leaves', async () => {
    const asRoot = clients(emu, 'root').ram;
    // carol has no direct policy; her group cloud-admins has AdministratorAccess.
    const key = (await asRoot.createAccessKey(new $Ram.CreateAccessKeyRequest(user('carol')))).body!.accessKey!;
    const asCarol = clientsWithKey(emu, key.accessKeyId!, key.accessKeySecret!).ram;
    await asCarol.deleteLoginProfile(new $Ram.DeleteLoginProfileRequest(user('bob')));
    await asRoot.removeUserFromGroup(
      new $Ram.RemoveUserFromGroupRequest({ userName: 'carol', groupName: 'cloud-admins' }),
    );
    await expectApiError(asCarol.getUser(new $Ram.GetUserRequest(user('bob'))), E.noPermission, 403);
  });

  test('detaching AliyunRAMFullAccess from the worker makes its RAM writes fail until re-attached', async () => {
    const asRoot = clients(emu, 'root').ram;
    const policy = { ...systemPolicy('AliyunRAMFullAccess'), userName: 'offboarding-bot' };
    await asRoot.detachPolicyFromUser(new $Ram.DetachPolicyFromUserRequest(policy));
    await expectApiError(ram.deleteLoginProfile(new $Ram.DeleteLoginProfileRequest(user('bob'))), E.noPermission, 403);
    await asRoot.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest(policy));
    await ram.deleteLoginProfile(new $Ram.DeleteLoginProfileRequest(user('bob')));
  });
});

test('the journal records caller, parameters and outcome of a RAM call', async () => {
  await ram.getUser(new $Ram.GetUserRequest(user('bob')));
  const [entry] = await journal(emu);
  expect(entry).toMatchObject({
    product: 'ram',
    action: 'GetUser',
    caller: { accessKeyId: 'LTAIdemoOffboardBot001', identity: 'user/offboarding-bot', uid: UID.bot },
    params: { UserName: 'bob' },
    outcome: 'success',
    statusCode: 200,
  });
});
