import type Cs from '@alicloud/cs20151215';
import * as $Cs from '@alicloud/cs20151215';
import type Ram from '@alicloud/ram20150501';
import * as $Ram from '@alicloud/ram20150501';
import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import { type RunningEmulator, startEmulator } from '../../emulator';
import {
  ACCOUNT,
  certStates as certStatesOf,
  clients,
  clientsWithKey,
  deleteAlice,
  expectApiError,
  keyFor,
  setOptions,
  startWithFixture,
  UID,
} from './clients';

/**
 * Identities as the fail-closed checks see them (issue 13): a name re-created after deletion is a new identity whose
 * id differs while the old id's kubeconfigs and grants stay; STS tells a key's own principal; deleted identities may
 * come back without a name.
 */

let emu: RunningEmulator;
let cs: Cs;
let ram: Ram;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  ({ cs, ram } = clients(emu));
});
beforeEach(() => emu.reset());
afterAll(() => emu.close());

const certStates = (uid: string) => certStatesOf(cs, uid);

async function grantIds(uid: string): Promise<string[]> {
  return (await cs.describeUserPermission(uid)).body!.map((g) => g.resourceId!);
}

describe('rehire: a name deleted and created again', () => {
  test('CreateUser of a deleted name gives a new id; the old id keeps its kubeconfigs and grants (the risk)', async () => {
    await deleteAlice(ram);
    const created = await ram.createUser(new $Ram.CreateUserRequest({ userName: 'alice', displayName: 'Alice 2' }));
    const newUid = created.body!.user!.userId!;
    expect(newUid).toMatch(/^\d{16}$/);
    expect(newUid).not.toBe(UID.alice);
    const byName = await ram.getUser(new $Ram.GetUserRequest({ userName: 'alice' }));
    expect(byName.body?.user?.userId).toBe(newUid);

    // The old identity's credentials live on, keyed by its id; the new one has none.
    expect(await certStates(UID.alice)).toEqual({ 'c-prod-1': 'Unexpired', 'c-staging-1': 'Unexpired' });
    expect(await grantIds(UID.alice)).toEqual(['c-prod-1', 'c-staging-1/payments']);
    expect(await certStates(newUid)).toEqual({ 'c-prod-1': 'Unissued', 'c-staging-1': 'Unissued' });
    expect(await grantIds(newUid)).toEqual([]);

    // On the cluster both carry the name: the old one Deleted, still Unexpired.
    const { body } = await cs.listClusterKubeconfigStates(
      'c-prod-1',
      new $Cs.ListClusterKubeconfigStatesRequest({ pageSize: 50 }),
    );
    expect(body!.states!.filter((s) => s.accountName === 'alice')).toEqual([
      expect.objectContaining({ accountId: UID.alice, accountState: 'Deleted', certState: 'Unexpired' }),
    ]);
  });

  test('CreateRole of a deleted role name gives a new id; the old id keeps its kubeconfig and grant', async () => {
    const legacy = { roleName: 'legacy-deploy-role' };
    const trust = (await ram.getRole(new $Ram.GetRoleRequest(legacy))).body!.role!.assumeRolePolicyDocument!;
    await ram.detachPolicyFromRole(
      new $Ram.DetachPolicyFromRoleRequest({ ...legacy, policyName: 'AliyunCSReadOnlyAccess', policyType: 'System' }),
    );
    await ram.deleteRole(new $Ram.DeleteRoleRequest(legacy));
    const created = await ram.createRole(
      new $Ram.CreateRoleRequest({ ...legacy, assumeRolePolicyDocument: trust, description: 'rehired' }),
    );
    const role = created.body!.role!;
    expect(role).toMatchObject({
      roleName: 'legacy-deploy-role',
      arn: `acs:ram::${ACCOUNT}:role/legacy-deploy-role`,
      assumeRolePolicyDocument: trust,
      maxSessionDuration: 3600,
    });
    expect(role.roleId).toMatch(/^\d{19}$/);
    expect(role.roleId).not.toBe(UID.legacyRole);
    expect((await ram.getRole(new $Ram.GetRoleRequest(legacy))).body?.role?.roleId).toBe(role.roleId);

    expect(await certStates(UID.legacyRole)).toEqual({ 'c-prod-1': 'Unexpired', 'c-staging-1': 'Unissued' });
    expect(await grantIds(UID.legacyRole)).toEqual(['c-prod-1/deploy']);
    expect(await grantIds(role.roleId!)).toEqual([]);
  });

  test('CreateRole refuses a duplicate name, a malformed trust policy and a bad name with RAM’s codes', async () => {
    const trust = JSON.stringify({
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ACCOUNT}:root`] } }],
    });
    const create = (o: Record<string, unknown>) =>
      ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'r1', assumeRolePolicyDocument: trust, ...o }));
    await expectApiError(create({ roleName: 'legacy-deploy-role' }), E.roleAlreadyExists, 409);
    await expectApiError(create({ assumeRolePolicyDocument: '{not json' }), E.malformedPolicyDocument, 400);
    await expectApiError(
      create({ assumeRolePolicyDocument: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow' }] }) }),
      E.malformedPolicyDocument,
      400,
    );
    await expectApiError(create({ roleName: 'bad name' }), E.invalidRoleName, 400);
    await expectApiError(create({ roleName: 'r'.repeat(65) }), E.invalidRoleNameLength, 400);
    await expectApiError(create({ maxSessionDuration: 60 }), E.ramInvalidParameter, 400);
    await create({ maxSessionDuration: 7200 });
  });
});

describe('rename: UpdateUser NewUserName', () => {
  test('keeps the id, keys, kubeconfigs and STS principal; the old name is gone; a taken name is refused', async () => {
    const renamed = await ram.updateUser(
      new $Ram.UpdateUserRequest({ userName: 'offboarding-bot', newUserName: 'ops-bot' }),
    );
    expect(renamed.body?.user).toMatchObject({ userName: 'ops-bot', userId: UID.bot });
    await expectApiError(ram.getUser(new $Ram.GetUserRequest({ userName: 'offboarding-bot' })), E.userNotFound, 404);
    expect((await ram.getUser(new $Ram.GetUserRequest({ userName: 'ops-bot' }))).body?.user?.userId).toBe(UID.bot);
    // The same key still signs, now as ops-bot.
    expect((await clients(emu).sts.getCallerIdentity()).body).toMatchObject({
      principalId: UID.bot,
      arn: `acs:ram::${ACCOUNT}:user/ops-bot`,
    });
    await expectApiError(
      ram.updateUser(new $Ram.UpdateUserRequest({ userName: 'alice', newUserName: 'ops-bot' })),
      E.userAlreadyExists,
      409,
    );
  });
});

describe('STS GetCallerIdentity', () => {
  test('a RAM user key: RAMUser with its user id as principal id and its ARN', async () => {
    const { body } = await clients(emu).sts.getCallerIdentity();
    expect(body).toEqual({
      requestId: expect.stringMatching(/^[0-9A-F-]{36}$/),
      identityType: 'RAMUser',
      accountId: ACCOUNT,
      userId: UID.bot,
      principalId: UID.bot,
      arn: `acs:ram::${ACCOUNT}:user/offboarding-bot`,
    });
  });

  test('the account key: Account, the account id throughout', async () => {
    const { body } = await clients(emu, 'root').sts.getCallerIdentity();
    expect(body).toMatchObject({
      identityType: 'Account',
      accountId: ACCOUNT,
      userId: ACCOUNT,
      principalId: ACCOUNT,
      arn: `acs:ram::${ACCOUNT}:root`,
    });
  });

  test('needs no permission at all, but a valid key: errors come in the RPC format', async () => {
    // alice holds no RAM policy; STS still answers.
    expect((await clients(emu, 'user/alice').sts.getCallerIdentity()).body?.userId).toBe(UID.alice);
    const unknown = clientsWithKey(emu, 'LTAIunknown00000000000', 'nope').sts;
    await expectApiError(unknown.getCallerIdentity(), E.accessKeyNotFound, 404);
    const res = await fetch(`${emu.url}/`, {
      method: 'POST',
      headers: { 'x-acs-action': 'GetCallerIdentity', 'x-acs-version': '2015-04-01' },
    });
    expect(await res.json()).toMatchObject({ Code: E.incompleteSignature, HostId: 'sts.aliyuncs.com' });
  });

  test('a key made for a user answers with that user (the worker resolves its own principal id)', async () => {
    const asDave = await keyFor(emu, 'dave');
    expect((await asDave.sts.getCallerIdentity()).body).toMatchObject({ userId: UID.dave, principalId: UID.dave });
  });
});

describe('nameless deleted identities', () => {
  const rowsOf = async (client: Cs = cs) =>
    (await client.listClusterKubeconfigStates('c-prod-1', new $Cs.ListClusterKubeconfigStatesRequest({ pageSize: 50 })))
      .body!.states!;

  test('with namelessDeletedIdentities, a deleted identity is listed by id only, still Deleted and Unexpired', async () => {
    expect((await rowsOf()).find((s) => s.accountId === UID.formerContractor)?.accountName).toBe('former-contractor');
    await setOptions(emu, { namelessDeletedIdentities: true });
    const rows = await rowsOf();
    const gone = rows.find((s) => s.accountId === UID.formerContractor);
    expect(gone).toEqual({
      accountId: UID.formerContractor,
      accountType: 'RamUser',
      accountState: 'Deleted',
      certState: 'Unexpired',
      certExpireTime: expect.any(String),
      revokable: true,
    });
    // Live identities keep their names.
    expect(rows.find((s) => s.accountId === UID.alice)?.accountName).toBe('alice');
    // A deleted role too, and its type still says RamRole.
    await ram.detachPolicyFromRole(
      new $Ram.DetachPolicyFromRoleRequest({
        roleName: 'legacy-deploy-role',
        policyName: 'AliyunCSReadOnlyAccess',
        policyType: 'System',
      }),
    );
    await ram.deleteRole(new $Ram.DeleteRoleRequest({ roleName: 'legacy-deploy-role' }));
    const role = (await rowsOf()).find((s) => s.accountId === UID.legacyRole);
    expect(role).toMatchObject({ accountType: 'RamRole', accountState: 'Deleted' });
    expect(role).not.toHaveProperty('accountName');
  });

  test('the same switch from a fixture', async () => {
    const nameless = await startWithFixture((f) => {
      f.options = { namelessDeletedIdentities: true };
    });
    try {
      const rows = await rowsOf(clients(nameless).cs);
      expect(rows.find((s) => s.accountId === UID.formerContractor)?.accountName).toBeUndefined();
    } finally {
      await nameless.close();
    }
  });
});
