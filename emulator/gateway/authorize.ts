import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import type { ActionDef, CallContext, Need, Product } from '../action';
import { ApiError } from '../api-error';
import { deniesEverywhere, parsePolicyDocument } from '../state/policy-document';
import { type PolicyAttachment, policyKey, type UserState, type WorldState } from '../state/world';

/**
 * Whether the caller may call an operation, evaluated per request as RAM does: an explicit deny in any attached
 * custom policy wins over everything (so attaching a deny-all policy cuts a user's open sessions at once); otherwise
 * only the system policies below grant anything — the coarse model the offboarding needs (a worker key without
 * AliyunCSFullAccess gets access denied). Custom policies' Allow statements grant nothing here.
 */

type Capability = Exclude<Need, 'self' | 'anyone' | 'cs-full+ram-read'>;

const POLICY_CAPABILITIES: Record<string, readonly Capability[]> = {
  AdministratorAccess: ['cs-full', 'cs-read', 'ram-read', 'ram-write'],
  AliyunCSFullAccess: ['cs-full', 'cs-read'],
  AliyunCSReadOnlyAccess: ['cs-read'],
  AliyunRAMFullAccess: ['ram-read', 'ram-write'],
  AliyunRAMReadOnlyAccess: ['ram-read'],
};

/** The service prefix of an operation's RAM action: IMS operations are documented as `ram:<Action>`. */
const AUTH_SERVICE: Record<Product, string> = { cs: 'cs', ram: 'ram', sts: 'sts', ims: 'ram' };

/** The user's own and its groups' account-wide attachments (resource-group-scoped ones grant no API access). */
function attachments(world: WorldState, user: UserState): PolicyAttachment[] {
  const all = [...user.policies, ...user.groups.flatMap((g) => world.groups.get(g.name)?.policies ?? [])];
  return all.filter((a) => !a.resourceGroupId);
}

/** What the attached system policies grant. */
function capabilities(attached: PolicyAttachment[]): Set<Capability> {
  const caps = new Set<Capability>();
  for (const a of attached) {
    if (a.type !== 'System') continue;
    for (const c of POLICY_CAPABILITIES[a.name] ?? []) caps.add(c);
  }
  return caps;
}

/** The attached custom policy that explicitly denies `authAction`, if any. */
function denyingPolicy(world: WorldState, attached: PolicyAttachment[], authAction: string): string | undefined {
  for (const a of attached) {
    const text = world.policies.get(policyKey(a.type, a.name))?.document;
    if (text === undefined) continue;
    const doc = parsePolicyDocument(text, 'permission');
    if (typeof doc !== 'string' && deniesEverywhere(doc, authAction)) return a.name;
  }
  return undefined;
}

/** Throws the product's access-denied error unless the caller may call `def`. */
export function authorize(ctx: CallContext, def: ActionDef): void {
  const { caller } = ctx;
  if (caller.kind === 'root' || def.need === 'anyone') return;
  const authAction = `${AUTH_SERVICE[def.product]}:${def.name}`;
  const attached = attachments(ctx.world, caller.user);
  const denier = denyingPolicy(ctx.world, attached, authAction);
  if (denier !== undefined) throw accessDenied(ctx, def, authAction, `explicitly denied by policy ${denier}`);
  if (def.need === 'self') return;
  const caps = capabilities(attached);
  const ok = def.need === 'cs-full+ram-read' ? caps.has('cs-full') && caps.has('ram-read') : caps.has(def.need);
  if (!ok) throw accessDenied(ctx, def, authAction);
}

function accessDenied(ctx: CallContext, def: ActionDef, authAction: string, explicitDeny?: string): ApiError {
  if (def.product === 'cs') {
    const why = explicitDeny ? `: ${explicitDeny}` : '';
    return new ApiError(E.csForbidden, 403, `You are not authorized to do this action (${authAction})${why}.`);
  }
  const name = ctx.caller.kind === 'user' ? ctx.caller.user.name : 'root';
  return new ApiError(
    E.noPermission,
    403,
    explicitDeny
      ? `You are not authorized to do this action: ${explicitDeny}.`
      : 'You are not authorized to do this action. You should be authorized by RAM.',
    {
      AccessDeniedDetail: {
        AuthAction: authAction,
        AuthPrincipalType: 'SubUser',
        AuthPrincipalOwnerId: ctx.world.account.id,
        AuthPrincipalDisplayName: name,
        NoPermissionType: explicitDeny ? 'ExplicitDeny' : 'ImplicitDeny',
        PolicyType: 'AccountLevelIdentityBasedPolicy',
        EncodedDiagnosticMessage: '',
      },
    },
  );
}
