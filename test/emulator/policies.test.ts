import * as $Cs from '@alicloud/cs20151215';
import type Ram from '@alicloud/ram20150501';
import * as $Ram from '@alicloud/ram20150501';
import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import { type RunningEmulator, startEmulator } from '../../emulator';
import { ACCOUNT, clients, expectApiError, keyFor, sdkError, startWithFixture, UID } from './clients';

/**
 * Quarantine by policy (issue 13 item 7): custom policies with documents, attached to users and roles, RAM's codes for
 * each refusal, trust policies read and replaced — and an explicit deny that RAM evaluates on every request, so a
 * quarantined user's open sessions stop working at once.
 */

let emu: RunningEmulator;
let ram: Ram;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  ram = clients(emu).ram;
});
beforeEach(() => emu.reset());
afterAll(() => emu.close());

const DENY_ALL = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] });
const NOBODY_MAY_ASSUME = JSON.stringify({
  Version: '1',
  Statement: [{ Effect: 'Deny', Action: 'sts:AssumeRole', Principal: { RAM: ['*'] } }],
});
const quarantine = { policyName: 'offboarding-deny-all', policyType: 'Custom' };

const createDenyAll = () =>
  ram.createPolicy(
    new $Ram.CreatePolicyRequest({
      policyName: quarantine.policyName,
      policyDocument: DENY_ALL,
      description: 'Quarantine',
    }),
  );

describe('custom policies', () => {
  test('CreatePolicy stores the document; GetPolicy returns it with the attachment count', async () => {
    const created = await createDenyAll();
    expect(created.body?.policy).toEqual({
      policyName: 'offboarding-deny-all',
      policyType: 'Custom',
      description: 'Quarantine',
      defaultVersion: 'v1',
      createDate: expect.stringMatching(/Z$/),
    });
    await ram.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ ...quarantine, userName: 'bob' }));
    const { body } = await ram.getPolicy(new $Ram.GetPolicyRequest(quarantine));
    expect(body?.policy).toMatchObject({
      policyName: 'offboarding-deny-all',
      attachmentCount: 1,
      policyDocument: DENY_ALL,
    });
    expect(body?.defaultPolicyVersion).toMatchObject({
      versionId: 'v1',
      isDefaultVersion: true,
      policyDocument: DENY_ALL,
    });
  });

  test('CreatePolicy and GetPolicy refuse with RAM’s documented codes', async () => {
    await createDenyAll();
    await expectApiError(createDenyAll(), E.policyAlreadyExists, 409);
    const create = (policyName: string, policyDocument: string) =>
      ram.createPolicy(new $Ram.CreatePolicyRequest({ policyName, policyDocument }));
    await expectApiError(create('p1', '{"Version":"1"'), E.malformedPolicyDocument, 400);
    await expectApiError(create('p1', JSON.stringify({ Version: '1', Statement: [] })), E.malformedPolicyDocument, 400);
    await expectApiError(
      create('p1', JSON.stringify({ Version: '1', Statement: [{ Effect: 'Deny', Action: '*' }] })),
      E.malformedPolicyDocument,
      400,
    );
    const withSid = (sid: string) =>
      JSON.stringify({ Version: '1', Statement: [{ Sid: sid, Effect: 'Deny', Action: '*', Resource: '*' }] });
    await expectApiError(create('p1', withSid('x'.repeat(6200))), E.invalidPolicyDocumentLength, 400);
    // Just within the limit, and some 17 KiB once percent-encoded in the query: accepted.
    await create('p2', withSid('{}'.repeat(3000)));
    await expectApiError(create('bad_name', DENY_ALL), E.invalidPolicyName, 400);
    await expectApiError(create('p'.repeat(129), DENY_ALL), E.invalidPolicyNameLength, 400);
    await expectApiError(
      ram.getPolicy(new $Ram.GetPolicyRequest({ ...quarantine, policyName: 'nope' })),
      E.policyNotFound,
      404,
    );
    await expectApiError(
      ram.getPolicy(new $Ram.GetPolicyRequest({ ...quarantine, policyType: 'Other' })),
      E.invalidPolicyType,
      400,
    );
  });

  test('AttachPolicyToRole and DetachPolicyFromRole, with their codes', async () => {
    await createDenyAll();
    const role = { ...quarantine, roleName: 'legacy-deploy-role' };
    await ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest(role));
    const listed = await ram.listPoliciesForRole(new $Ram.ListPoliciesForRoleRequest({ roleName: role.roleName }));
    expect(listed.body?.policies?.policy?.map((p) => [p.policyName, p.policyType])).toEqual([
      ['AliyunCSReadOnlyAccess', 'System'],
      ['offboarding-deny-all', 'Custom'],
    ]);
    await expectApiError(
      ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest(role)),
      E.rolePolicyAlreadyExists,
      409,
    );
    await expectApiError(
      ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ ...role, roleName: 'nope' })),
      E.roleNotFound,
      404,
    );
    await expectApiError(
      ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ ...role, policyName: 'nope' })),
      E.policyNotFound,
      404,
    );
    await ram.detachPolicyFromRole(new $Ram.DetachPolicyFromRoleRequest(role));
    await expectApiError(
      ram.detachPolicyFromRole(new $Ram.DetachPolicyFromRoleRequest(role)),
      E.rolePolicyNotFound,
      404,
    );
  });

  test('a user with the deny policy attached cannot be deleted until it is detached', async () => {
    await createDenyAll();
    await ram.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ ...quarantine, userName: 'carol' }));
    await ram.removeUserFromGroup(
      new $Ram.RemoveUserFromGroupRequest({ userName: 'carol', groupName: 'cloud-admins' }),
    );
    await expectApiError(
      ram.deleteUser(new $Ram.DeleteUserRequest({ userName: 'carol' })),
      E.deleteConflictUserPolicy,
      409,
    );
  });
});

describe('trust policies', () => {
  test('GetRole returns the trust policy; UpdateRole replaces it (and validates it)', async () => {
    const legacy = { roleName: 'legacy-deploy-role' };
    const before = (await ram.getRole(new $Ram.GetRoleRequest(legacy))).body!.role!;
    expect(JSON.parse(before.assumeRolePolicyDocument!)).toEqual({
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: [`acs:ram::${ACCOUNT}:root`] } }],
      Version: '1',
    });
    const updated = await ram.updateRole(
      new $Ram.UpdateRoleRequest({ ...legacy, newAssumeRolePolicyDocument: NOBODY_MAY_ASSUME }),
    );
    expect(updated.body?.role).toMatchObject({ roleId: before.roleId, assumeRolePolicyDocument: NOBODY_MAY_ASSUME });
    expect((await ram.getRole(new $Ram.GetRoleRequest(legacy))).body?.role?.assumeRolePolicyDocument).toBe(
      NOBODY_MAY_ASSUME,
    );
    // Restoring the old one is the compensation.
    await ram.updateRole(
      new $Ram.UpdateRoleRequest({ ...legacy, newAssumeRolePolicyDocument: before.assumeRolePolicyDocument }),
    );
    expect((await ram.getRole(new $Ram.GetRoleRequest(legacy))).body?.role?.assumeRolePolicyDocument).toBe(
      before.assumeRolePolicyDocument,
    );

    await expectApiError(
      ram.updateRole(new $Ram.UpdateRoleRequest({ ...legacy, newAssumeRolePolicyDocument: '[]' })),
      E.malformedPolicyDocument,
      400,
    );
    // A trust policy needs a Principal.
    await expectApiError(
      ram.updateRole(new $Ram.UpdateRoleRequest({ ...legacy, newAssumeRolePolicyDocument: DENY_ALL })),
      E.malformedPolicyDocument,
      400,
    );
    await expectApiError(
      ram.updateRole(new $Ram.UpdateRoleRequest({ roleName: 'nope', newAssumeRolePolicyDocument: NOBODY_MAY_ASSUME })),
      E.roleNotFound,
      404,
    );
  });
});

describe('explicit deny, evaluated per request', () => {
  test('a quarantined user’s open session stops working at once, and works again once the policy is detached', async () => {
    const asAlice = clients(emu, 'user/alice').cs;
    const listClusters = () => asAlice.describeClustersV1(new $Cs.DescribeClustersV1Request({}));
    await listClusters();
    await createDenyAll();
    const attachment = { ...quarantine, userName: 'alice' };
    await ram.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest(attachment));

    const denied = await sdkError(listClusters());
    expect([denied.name, denied.code, denied.statusCode]).toEqual(['ClientError', E.csForbidden, 403]);
    expect(denied.message).toContain('explicitly denied by policy offboarding-deny-all');
    // Even what a valid key may always do on its own resources.
    await expectApiError(asAlice.revokeK8sClusterKubeConfig('c-prod-1'), E.csForbidden, 403);

    await ram.detachPolicyFromUser(new $Ram.DetachPolicyFromUserRequest(attachment));
    await listClusters();
  });

  test('RAM calls of a denied administrator: NoPermission with an ExplicitDeny detail; the deny wins over AdministratorAccess', async () => {
    const asDave = await keyFor(emu, 'dave');
    await asDave.ram.getUser(new $Ram.GetUserRequest({ userName: 'alice' }));
    await createDenyAll();
    await ram.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ ...quarantine, userName: 'dave' }));
    const err = await sdkError(asDave.ram.getUser(new $Ram.GetUserRequest({ userName: 'alice' })));
    expect([err.name, err.code, err.statusCode]).toEqual(['ClientError', E.noPermission, 403]);
    expect(err.accessDeniedDetail).toMatchObject({ AuthAction: 'ram:GetUser', NoPermissionType: 'ExplicitDeny' });
    // STS needs no authorization: the quarantined key still says whose it is.
    expect((await asDave.sts.getCallerIdentity()).body?.userId).toBe(UID.dave);
  });

  test('a deny names actions by pattern; a deny on a group reaches its members; Allow statements grant nothing', async () => {
    const denyDescribe = JSON.stringify({
      Version: '1',
      Statement: [
        { Effect: 'Deny', Action: ['cs:Describe*'], Resource: '*' },
        { Effect: 'Allow', Action: 'ram:*', Resource: '*' },
      ],
    });
    await ram.createPolicy(new $Ram.CreatePolicyRequest({ policyName: 'no-describe', policyDocument: denyDescribe }));
    await ram.attachPolicyToUser(
      new $Ram.AttachPolicyToUserRequest({ policyName: 'no-describe', policyType: 'Custom', userName: 'bob' }),
    );
    const asBob = clients(emu, 'user/bob');
    await expectApiError(asBob.cs.describeClustersV1(new $Cs.DescribeClustersV1Request({})), E.csForbidden, 403);
    // Not a Describe* action: still allowed by AliyunCSReadOnlyAccess.
    await asBob.cs.revokeK8sClusterKubeConfig('c-prod-1');
    // The Allow on ram:* grants bob nothing.
    await expectApiError(asBob.ram.getUser(new $Ram.GetUserRequest({ userName: 'bob' })), E.noPermission, 403);

    await createDenyAll();
    await ram.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ ...quarantine, userName: 'ci-deployer' }));
    await expectApiError(
      clients(emu, 'user/ci-deployer').cs.describeClustersV1(new $Cs.DescribeClustersV1Request({})),
      E.csForbidden,
      403,
    );
  });

  test('a fixture may carry a custom policy with a document; a malformed one is refused at load', async () => {
    const denied = await startWithFixture((f) => {
      const policies = f.policies as Record<string, unknown>[];
      policies.push({ name: 'deny-all', type: 'Custom', document: DENY_ALL });
      (f.users as { name: string; policies: string[] }[]).find((u) => u.name === 'bob')!.policies.push('deny-all');
    });
    try {
      await expectApiError(
        clients(denied, 'user/bob').cs.describeClustersV1(new $Cs.DescribeClustersV1Request({})),
        E.csForbidden,
        403,
      );
    } finally {
      await denied.close();
    }
    await expect(
      startWithFixture((f) => {
        (f.policies as Record<string, unknown>[]).push({ name: 'broken', type: 'Custom', document: '{' });
      }),
    ).rejects.toThrow(/policy broken: The policy document is not valid JSON/);
  });
});
