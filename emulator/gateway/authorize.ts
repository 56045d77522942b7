import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import type { ActionDef, CallContext, Need } from '../action';
import { ApiError } from '../api-error';
import type { UserState, WorldState } from '../state/world';

/**
 * Whether the caller may call an operation. Only the system policies below grant anything (custom policies carry no
 * documents here): the coarse model the offboarding needs — a worker key without AliyunCSFullAccess gets access denied.
 */

type Capability = Exclude<Need, 'self' | 'cs-full+ram-read'>;

const POLICY_CAPABILITIES: Record<string, readonly Capability[]> = {
  AdministratorAccess: ['cs-full', 'cs-read', 'ram-read', 'ram-write'],
  AliyunCSFullAccess: ['cs-full', 'cs-read'],
  AliyunCSReadOnlyAccess: ['cs-read'],
  AliyunRAMFullAccess: ['ram-read', 'ram-write'],
  AliyunRAMReadOnlyAccess: ['ram-read'],
};

/** What the user's own and its groups' policies grant. */
function capabilities(world: WorldState, user: UserState): Set<Capability> {
  const caps = new Set<Capability>();
  const add = (a: { name: string; type: string; resourceGroupId?: string }): void => {
    // Resource-group-scoped attachments do not grant account-wide API access.
    if (a.type !== 'System' || a.resourceGroupId) return;
    for (const c of POLICY_CAPABILITIES[a.name] ?? []) caps.add(c);
  };
  user.policies.forEach(add);
  for (const g of user.groups) world.groups.get(g.name)?.policies.forEach(add);
  return caps;
}

/** Throws the product's access-denied error unless the caller holds what `def` needs. */
export function authorize(ctx: CallContext, def: ActionDef): void {
  const { caller } = ctx;
  if (caller.kind === 'root' || def.need === 'self') return;
  const caps = capabilities(ctx.world, caller.user);
  const ok = def.need === 'cs-full+ram-read' ? caps.has('cs-full') && caps.has('ram-read') : caps.has(def.need);
  if (ok) return;
  const authAction = `${def.product}:${def.name}`;
  if (def.product === 'cs') {
    throw new ApiError(E.csForbidden, 403, `You are not authorized to do this action (${authAction}).`);
  }
  throw new ApiError(
    E.noPermission,
    403,
    'You are not authorized to do this action. You should be authorized by RAM.',
    {
      AccessDeniedDetail: {
        AuthAction: authAction,
        AuthPrincipalType: 'SubUser',
        AuthPrincipalOwnerId: ctx.world.account.id,
        AuthPrincipalDisplayName: caller.user.name,
        NoPermissionType: 'ImplicitDeny',
        PolicyType: 'AccountLevelIdentityBasedPolicy',
        EncodedDiagnosticMessage: '',
      },
    },
  );
}
