import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import type { ActionDef } from '../action';
import { ApiError } from '../api-error';
import type { PolicyAttachment, PolicyType, WorldState } from '../state/world';
import { addOnce, removeOne } from './lists';
import { requirePolicy, requireRole, requireUser } from './params';
import { policyList } from './render';

/**
 * Policy attachments of users and roles. An attachment is named by policy type, name and optional resource group;
 * the policy must exist (from the fixture, or CreatePolicy in policies.ts).
 */

export const attachmentActions: ActionDef[] = [
  {
    product: 'ram',
    name: 'ListPoliciesForUser',
    need: 'ram-read',
    run: (ctx, { query }) => policyList(ctx.world, requireUser(ctx.world, query).policies),
  },
  {
    product: 'ram',
    name: 'AttachPolicyToUser',
    need: 'ram-write',
    run(ctx, { query }) {
      const p = policyParams(ctx.world, query);
      const user = requireUser(ctx.world, query);
      addOnce(
        user.policies,
        (a) => sameAttachment(a, p),
        { name: p.name, type: p.type, attached: ctx.now, ...(p.rg && { resourceGroupId: p.rg }) },
        () => new ApiError(E.userPolicyAlreadyExists, 409, `${p.name} is already attached to ${user.name}.`),
      );
      return {};
    },
  },
  {
    product: 'ram',
    name: 'DetachPolicyFromUser',
    need: 'ram-write',
    run(ctx, { query }) {
      const p = policyParams(ctx.world, query);
      const user = requireUser(ctx.world, query);
      removeOne(
        user.policies,
        (a) => sameAttachment(a, p),
        () => new ApiError(E.userPolicyNotFound, 404, `${p.name} is not attached to ${user.name}.`),
      );
      return {};
    },
  },
  {
    product: 'ram',
    name: 'ListPoliciesForRole',
    need: 'ram-read',
    run: (ctx, { query }) => policyList(ctx.world, requireRole(ctx.world, query).policies),
  },
  {
    product: 'ram',
    name: 'AttachPolicyToRole',
    need: 'ram-write',
    run(ctx, { query }) {
      const p = policyParams(ctx.world, query);
      const role = requireRole(ctx.world, query);
      addOnce(
        role.policies,
        (a) => sameAttachment(a, p),
        { name: p.name, type: p.type, attached: ctx.now, ...(p.rg && { resourceGroupId: p.rg }) },
        () => new ApiError(E.rolePolicyAlreadyExists, 409, `${p.name} is already attached to role ${role.name}.`),
      );
      return {};
    },
  },
  {
    product: 'ram',
    name: 'DetachPolicyFromRole',
    need: 'ram-write',
    run(ctx, { query }) {
      const p = policyParams(ctx.world, query);
      const role = requireRole(ctx.world, query);
      // 404 assumed: only third-party code shows this code (reference §2.4).
      removeOne(
        role.policies,
        (a) => sameAttachment(a, p),
        () => new ApiError(E.rolePolicyNotFound, 404, `${p.name} is not attached to role ${role.name}.`),
      );
      return {};
    },
  },
];

interface PolicyParams {
  name: string;
  type: PolicyType;
  /** ResourceGroupId: an attachment scoped to one resource group. */
  rg?: string;
}

/** PolicyType, PolicyName and ResourceGroupId, once the policy is known to exist. */
function policyParams(world: WorldState, q: Record<string, string>): PolicyParams {
  const { name, type } = requirePolicy(world, q);
  return { name, type, ...(q.ResourceGroupId && { rg: q.ResourceGroupId }) };
}

function sameAttachment(a: PolicyAttachment, p: PolicyParams): boolean {
  return a.name === p.name && a.type === p.type && (a.resourceGroupId ?? '') === (p.rg ?? '');
}
