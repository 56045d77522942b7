import { AlibabaErrorCodes as E } from '../common/alibaba-error-codes';
import { ApiError, type Product } from './errors';
import type { AccessKeyState, DeletedIdentity, RoleState, UserState, WorldState } from './state';

/** Who signed the request. Only account (root) keys and RAM user keys exist here; STS is out of scope. */
export interface Caller {
  kind: 'root' | 'user';
  accessKeyId: string;
  /** The account id for root, the RAM user id otherwise. */
  uid: string;
  identity: string;
  user?: UserState;
}

export interface CallContext {
  world: WorldState;
  caller: Caller;
  now: number;
  requestId: string;
  taskDelayMs: number;
  /** Clean tasks still running; the server lands them when their time comes. */
  pendingTasks: Set<string>;
  /** A `task-fail` fault fired: the task this call creates must end in `fail`. */
  failTask: boolean;
}

export interface ActionRequest {
  /** Path parameters (CS) — RAM has none. */
  path: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
}

/**
 * What a caller must hold. Only the system policies below grant anything (custom policies carry no documents here):
 * this is the coarse model the offboarding needs — a worker key without AliyunCSFullAccess gets access denied.
 */
export type Need = 'cs-full' | 'cs-read' | 'cs-full+ram-read' | 'self' | 'ram-read' | 'ram-write';
type Capability = 'cs-full' | 'cs-read' | 'ram-read' | 'ram-write';

const POLICY_CAPABILITIES: Record<string, readonly Capability[]> = {
  AdministratorAccess: ['cs-full', 'cs-read', 'ram-read', 'ram-write'],
  AliyunCSFullAccess: ['cs-full', 'cs-read'],
  AliyunCSReadOnlyAccess: ['cs-read'],
  AliyunRAMFullAccess: ['ram-read', 'ram-write'],
  AliyunRAMReadOnlyAccess: ['ram-read'],
};

export interface ActionDef {
  product: Product;
  name: string;
  need: Need;
  /** ROA route (CS only). */
  method?: 'GET' | 'POST' | 'DELETE' | 'PUT';
  path?: string;
  run(ctx: CallContext, req: ActionRequest): unknown;
}

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
  const caps = capabilities(ctx.world, caller.user!);
  const ok =
    def.need === 'cs-full+ram-read' ? caps.has('cs-full') && caps.has('ram-read') : caps.has(def.need as Capability);
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
        AuthPrincipalDisplayName: caller.user!.name,
        NoPermissionType: 'ImplicitDeny',
        PolicyType: 'AccountLevelIdentityBasedPolicy',
        EncodedDiagnosticMessage: '',
      },
    },
  );
}

export type ResolvedIdentity =
  | { kind: 'root'; uid: string; name: string }
  | { kind: 'user'; uid: string; name: string; user: UserState }
  | { kind: 'role'; uid: string; name: string; role: RoleState }
  | { kind: 'deleted'; uid: string; name: string; deleted: DeletedIdentity };

/** What a uid names in this account, including identities deleted since (their kubeconfig records live on). */
export function resolveUid(world: WorldState, uid: string): ResolvedIdentity | undefined {
  if (uid === world.account.id) return { kind: 'root', uid, name: world.account.name };
  for (const user of world.users.values()) if (user.id === uid) return { kind: 'user', uid, name: user.name, user };
  for (const role of world.roles.values()) if (role.id === uid) return { kind: 'role', uid, name: role.name, role };
  const deleted = world.deletedIdentities.get(uid);
  if (deleted) return { kind: 'deleted', uid, name: deleted.name, deleted };
  return undefined;
}

/** Finds the owner of an access key id: the account (root) or a RAM user. */
export function findAccessKey(
  world: WorldState,
  accessKeyId: string,
): { key: AccessKeyState; user?: UserState } | undefined {
  for (const key of world.account.rootAccessKeys) if (key.id === accessKeyId) return { key };
  for (const user of world.users.values()) {
    for (const key of user.accessKeys) if (key.id === accessKeyId) return { key, user };
  }
  return undefined;
}

/** Alibaba Cloud's date format: ISO 8601 UTC, second precision. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
