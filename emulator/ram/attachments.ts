import { type AlibabaErrorCode, AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import type { ActionDef } from '../action';
import { ApiError } from '../api-error';
import type { PolicyAttachment, PolicyType, WorldState } from '../state/world';
import { addOnce, removeOne } from './lists';
import { requirePolicy, requireRole, requireUser } from './params';
import { policyList } from './render';

/**
 * Policy attachments of users and roles: the same three operations for each (list, attach, detach), with each kind's
 * own codes. An attachment is named by policy type, name and optional resource group; the policy must exist (from the
 * fixture, or CreatePolicy in policies.ts).
 */

/** What differs between the users' and the roles' attachment operations. */
interface Owners {
  /** `User` or `Role`, as in the operation names. */
  kind: 'User' | 'Role';
  find(world: WorldState, q: Record<string, string>): { name: string; policies: PolicyAttachment[] };
  alreadyAttached: AlibabaErrorCode;
  notAttached: AlibabaErrorCode;
}

function attachmentOperations({ kind, find, alreadyAttached, notAttached }: Owners): ActionDef[] {
  const owner = kind === 'User' ? '' : 'role ';
  return [
    {
      product: 'ram',
      name: `ListPoliciesFor${kind}`,
      need: 'ram-read',
      run: (ctx, { query }) => policyList(ctx.world, find(ctx.world, query).policies),
    },
    {
      product: 'ram',
      name: `AttachPolicyTo${kind}`,
      need: 'ram-write',
      run(ctx, { query }) {
        const p = policyParams(ctx.world, query);
        const o = find(ctx.world, query);
        addOnce(
          o.policies,
          (a) => sameAttachment(a, p),
          { name: p.name, type: p.type, attached: ctx.now, ...(p.rg && { resourceGroupId: p.rg }) },
          () => new ApiError(alreadyAttached, 409, `${p.name} is already attached to ${owner}${o.name}.`),
        );
        return {};
      },
    },
    {
      product: 'ram',
      name: `DetachPolicyFrom${kind}`,
      need: 'ram-write',
      run(ctx, { query }) {
        const p = policyParams(ctx.world, query);
        const o = find(ctx.world, query);
        removeOne(
          o.policies,
          (a) => sameAttachment(a, p),
          () => new ApiError(notAttached, 404, `${p.name} is not attached to ${owner}${o.name}.`),
        );
        return {};
      },
    },
  ];
}

export const attachmentActions: ActionDef[] = [
  ...attachmentOperations({
    kind: 'User',
    find: requireUser,
    alreadyAttached: E.userPolicyAlreadyExists,
    notAttached: E.userPolicyNotFound,
  }),
  ...attachmentOperations({
    kind: 'Role',
    find: requireRole,
    alreadyAttached: E.rolePolicyAlreadyExists,
    // 404 assumed: only third-party code shows this code (reference §2.4).
    notAttached: E.rolePolicyNotFound,
  }),
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
