/**
 * Quarantine (issue 13 item 7): a RAM role's access is cut too — an explicit deny-all policy attached and a trust
 * policy nobody can assume — and a user's open sessions stop through the same deny policy; restore undoes both, and
 * deletion detaches the deny policy before DeleteUser.
 */
import RamClient, * as $ram from '@alicloud/ram20150501';
import CsClient, * as $cs from '@alicloud/cs20151215';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { OffboardingStage } from '../../common/stages';
import { decide, people } from '../support/trust';
import { journal, offboardInput, resetWorld, rootRam, startOffboard, successes, waitForStage } from './harness';
import { useHarness } from './use-harness';

const h = useHarness('quarantine');
beforeEach(() => resetWorld(h, ['alice'], ['legacy-deploy-role']));

const DENY_POLICY = 'AcsOffboardingDenyAll';

async function rolePolicies(roleName: string): Promise<string[]> {
  const res = await rootRam(h.emulator).listPoliciesForRole(new $ram.ListPoliciesForRoleRequest({ roleName }));
  return (res.body?.policies?.policy ?? []).map((p) => `${p.policyType}/${p.policyName}`);
}

async function userPolicies(userName: string): Promise<string[]> {
  const res = await rootRam(h.emulator).listPoliciesForUser(new $ram.ListPoliciesForUserRequest({ userName }));
  return (res.body?.policies?.policy ?? []).map((p) => `${p.policyType}/${p.policyName}`);
}

async function trustPolicy(roleName: string): Promise<string> {
  const res = await rootRam(h.emulator).getRole(new $ram.GetRoleRequest({ roleName }));
  return res.body?.role?.assumeRolePolicyDocument ?? '';
}

function clientsWithKey(accessKeyId: string, accessKeySecret: string) {
  const config = () =>
    new $OpenApiUtil.Config({
      accessKeyId,
      accessKeySecret,
      endpoint: h.emulator.endpoint,
      protocol: 'http',
      regionId: 'cn-hangzhou',
    });
  return { ram: new RamClient(config()), cs: new CsClient(config()) };
}

test('item 7: a RAM role is quarantined — deny-all policy attached, trust policy nobody can assume — and restore puts both back', async () => {
  const role = 'legacy-deploy-role';
  const originalTrust = await trustPolicy(role);
  const originalPolicies = await rolePolicies(role);
  const { handle } = await startOffboard(h, offboardInput(h, role, { target: { type: 'role', name: role } }));
  const waiting = await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');

  // Access cut: the deny-all policy is attached and the trust policy lets nobody assume the role.
  expect(await rolePolicies(role)).toEqual([...originalPolicies, `Custom/${DENY_POLICY}`]);
  const locked = JSON.parse(await trustPolicy(role)) as { Statement: Array<{ Effect: string }> };
  expect(locked.Statement.length).toBeGreaterThan(0);
  expect(locked.Statement.every((s) => s.Effect === 'Deny')).toBe(true);
  const policy = await rootRam(h.emulator).getPolicy(
    new $ram.GetPolicyRequest({ policyName: DENY_POLICY, policyType: 'Custom' }),
  );
  expect(JSON.parse(policy.body?.defaultPolicyVersion?.policyDocument ?? '{}')).toEqual({
    Version: '1',
    Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }],
  });
  // Both cuts are registered undo steps, and the old trust policy is kept in the inventory to be put back.
  expect(waiting.compensations).toEqual(
    expect.arrayContaining([expect.stringMatching(/trust policy/), expect.stringMatching(new RegExp(DENY_POLICY))]),
  );

  await decide(h, handle, 'rejectDeletion', { reason: 'wrong role', restoreAccess: true }, people.carol);
  const result = await handle.result();
  expect(result.stage).toBe(OffboardingStage.Rejected);
  expect(await rolePolicies(role)).toEqual(originalPolicies);
  expect(await trustPolicy(role)).toBe(originalTrust);
});

test('item 7: a user gets the deny-all policy too, so sessions opened before quarantine stop; deletion detaches it', async () => {
  // A credential the quarantine did not see (made after the inventory): only the deny policy can stop it.
  const { handle } = await startOffboard(h, offboardInput(h, 'alice'));
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  expect(await userPolicies('alice')).toContain(`Custom/${DENY_POLICY}`);
  const created = await rootRam(h.emulator).createAccessKey(new $ram.CreateAccessKeyRequest({ userName: 'alice' }));
  const key = created.body?.accessKey;
  const asAlice = clientsWithKey(key?.accessKeyId ?? '', key?.accessKeySecret ?? '');
  const denied = await asAlice.ram.getUser(new $ram.GetUserRequest({ userName: 'alice' })).catch((e) => e);
  expect({ code: denied.code, statusCode: denied.statusCode }).toEqual({ code: 'NoPermission', statusCode: 403 });
  const deniedCs = await asAlice.cs.describeClustersV1(new $cs.DescribeClustersV1Request({})).catch((e) => e);
  expect(deniedCs.statusCode).toBe(403);

  await decide(h, handle, 'approveDeletion', {}, people.carol);
  const result = await handle.result();
  expect(result.stage).toBe(OffboardingStage.Completed);
  const entries = await journal(h.emulator);
  const deleteUser = successes(entries, 'DeleteUser')[0];
  const detachDeny = successes(entries, 'DetachPolicyFromUser').find(
    (e) => (e.params as Record<string, string>).PolicyName === DENY_POLICY,
  );
  expect(detachDeny && detachDeny.seq < deleteUser.seq).toBe(true);
});
