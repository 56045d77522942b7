/**
 * The worker's own rate limit toward Alibaba Cloud, shared by every activity of the worker (ActivityDeps.limiter,
 * applied in sdk-call.ts). Alibaba counts calls per second per API per account and answers beyond with
 * `Throttling.User`; this keeps the worker below that line instead of learning it from refusals.
 *
 * A limit is per operation, like Alibaba's (and the emulator's quota model, emulator/gateway/quotas.ts): `ram-write=20`
 * allows 20 calls per second to each RAM write API, not 20 in all. The limit of an operation is its own key when
 * configured, else the lower of its documented figure and its group's (`ram-read`, `ram-write`, `cs`, `ims`, `sts`).
 *
 * A call holds its slot from the moment it is sent until one window after its answer came back. The service counts a
 * call when it arrives, which is between those two moments on any clock, so N slots give at most N arrivals in any
 * window at the service, whatever the network delay — at the price of one round trip per window.
 */

export type QuotaGroup = 'ram-read' | 'ram-write' | 'cs' | 'ims' | 'sts';
export const QUOTA_GROUPS: readonly QuotaGroup[] = ['ram-read', 'ram-write', 'cs', 'ims', 'sts'];

/**
 * Every Alibaba operation the worker may call, with its quota group. An operation missing here is still limited, at
 * UNLISTED_LIMIT (see limitOf); list it to give it its group's figure and make it configurable.
 */
const OPERATION_GROUPS = {
  // RAM 2015-05-01 reads
  GetUser: 'ram-read',
  ListUsers: 'ram-read',
  GetRole: 'ram-read',
  ListRoles: 'ram-read',
  ListAccessKeys: 'ram-read',
  GetAccessKeyLastUsed: 'ram-read',
  GetLoginProfile: 'ram-read',
  GetUserMFAInfo: 'ram-read',
  ListGroupsForUser: 'ram-read',
  ListPoliciesForUser: 'ram-read',
  ListPoliciesForRole: 'ram-read',
  GetPolicy: 'ram-read',
  // RAM 2015-05-01 writes
  CreateUser: 'ram-write',
  UpdateUser: 'ram-write',
  DeleteUser: 'ram-write',
  CreateRole: 'ram-write',
  UpdateRole: 'ram-write',
  DeleteRole: 'ram-write',
  CreateAccessKey: 'ram-write',
  UpdateAccessKey: 'ram-write',
  DeleteAccessKey: 'ram-write',
  CreateLoginProfile: 'ram-write',
  UpdateLoginProfile: 'ram-write',
  DeleteLoginProfile: 'ram-write',
  UnbindMFADevice: 'ram-write',
  AddUserToGroup: 'ram-write',
  RemoveUserFromGroup: 'ram-write',
  CreatePolicy: 'ram-write',
  AttachPolicyToUser: 'ram-write',
  AttachPolicyToRole: 'ram-write',
  DetachPolicyFromUser: 'ram-write',
  DetachPolicyFromRole: 'ram-write',
  // CS 2015-12-15
  CleanUserPermissions: 'cs',
  CleanClusterUserPermissions: 'cs',
  DescribeTaskInfo: 'cs',
  DescribeClustersV1: 'cs',
  DescribeClusterDetail: 'cs',
  GetClusterAuditProject: 'cs',
  RevokeK8sClusterKubeConfig: 'cs',
  ListUserKubeConfigStates: 'cs',
  ListClusterKubeconfigStates: 'cs',
  DescribeClusterUserKubeconfig: 'cs',
  DescribeUserPermission: 'cs',
  GrantPermissions: 'cs',
  UpdateUserPermissions: 'cs',
  // IMS 2019-08-15 (RAM's recycle bin)
  ListUsersInRecycleBin: 'ims',
  GetUserInRecycleBin: 'ims',
  RestoreUserFromRecycleBin: 'ims',
  DeleteUserInRecycleBin: 'ims',
  ListAccessKeysInRecycleBin: 'ims',
  GetAccessKeyInfoInRecycleBin: 'ims',
  RestoreAccessKeyFromRecycleBin: 'ims',
  DeleteAccessKeyInRecycleBin: 'ims',
  // STS 2015-04-01
  GetCallerIdentity: 'sts',
} as const satisfies Record<string, QuotaGroup>;

export type AlibabaOperation = keyof typeof OPERATION_GROUPS;

export const ALIBABA_OPERATIONS = Object.keys(OPERATION_GROUPS) as AlibabaOperation[];

export function isAlibabaOperation(name: string): name is AlibabaOperation {
  return Object.hasOwn(OPERATION_GROUPS, name);
}

export function quotaGroupOf(operation: AlibabaOperation): QuotaGroup {
  return OPERATION_GROUPS[operation];
}

/** The limit of an operation this file does not list: the lowest documented RAM figure, whatever its group. */
export const UNLISTED_LIMIT = 10;

/** A key of OFFBOARD_ALIBABA_RATE_LIMITS: a group or one operation. */
export type RateLimitKey = QuotaGroup | AlibabaOperation;

/** Calls per second per operation, by key; `off`: no limit at all. */
export type RateLimits = 'off' | Readonly<Partial<Record<RateLimitKey, number>>>;

/**
 * The defaults. RAM: its documented quotas (reference §2.2 and §4, "api ram 2015 05 01 quota": reads 100/s, most
 * writes 20/s, policy attach/detach and group membership 10/s; DetachPolicyFromUser is not captured there and gets
 * its sibling DetachPolicyFromRole's 10/s). CS publishes no per-API table (reference §4): 100/s, RAM's read tier, as
 * the worker's CS calls are mostly reads made once per cluster (an identity RAM no longer knows is looked for on every
 * cluster, a verification reads every page); RAM's write tier (20/s) made that search over 150 clusters take minutes.
 * Set `cs=` from the account's Quota Center when it shows less. IMS is RAM's newer API without a captured table, and
 * STS is called once per worker: 20/s each, RAM's write tier.
 */
export const DOCUMENTED_RATE_LIMITS: Readonly<Record<QuotaGroup, number> & Partial<Record<AlibabaOperation, number>>> =
  {
    'ram-read': 100,
    'ram-write': 20,
    cs: 100,
    ims: 20,
    sts: 20,
    AttachPolicyToUser: 10,
    AttachPolicyToRole: 10,
    DetachPolicyFromUser: 10,
    DetachPolicyFromRole: 10,
    AddUserToGroup: 10,
    RemoveUserFromGroup: 10,
  };

const KEYS: ReadonlySet<string> = new Set<string>([...QUOTA_GROUPS, ...ALIBABA_OPERATIONS]);

/**
 * Reads `off` or `key=N,key=N` (keys: a group or an operation; N a whole number of calls per second above zero).
 * Returns the problems, each naming the rule, for the configuration to prefix with the variable's name.
 */
export function parseRateLimits(text: string): { limits: RateLimits } | { problems: string[] } {
  const trimmed = text.trim();
  if (trimmed === 'off') return { limits: 'off' };
  const limits: Partial<Record<RateLimitKey, number>> = {};
  const problems: string[] = [];
  for (const item of trimmed.split(',').map((s) => s.trim())) {
    const match = /^([A-Za-z0-9-]+)=(.*)$/.exec(item);
    if (!match) {
      problems.push(`"${item}" is not key=calls-per-second (e.g. ram-write=20,cs=50,DeleteUser=5, or off)`);
      continue;
    }
    const [, key, value] = match;
    if (!KEYS.has(key)) {
      problems.push(
        `unknown key "${key}": must be ${QUOTA_GROUPS.join(', ')} or an Alibaba operation the worker calls`,
      );
    } else if (!/^\d+$/.test(value) || Number(value) <= 0) {
      problems.push(`${key}: must be a whole number of calls per second above 0 (got "${value}")`);
    } else if (Object.hasOwn(limits, key)) {
      problems.push(`${key}: given twice`);
    } else {
      limits[key as RateLimitKey] = Number(value);
    }
  }
  return problems.length > 0 ? { problems } : { limits };
}

/** The calls per second an operation gets under `limits` (over the documented defaults); undefined: no limit. */
export function limitOf(operation: string, limits: RateLimits): number | undefined {
  if (limits === 'off') return undefined;
  if (!isAlibabaOperation(operation)) return UNLISTED_LIMIT;
  const own = limits[operation];
  if (own !== undefined) return own;
  const group = quotaGroupOf(operation);
  const groupLimit = limits[group] ?? DOCUMENTED_RATE_LIMITS[group];
  return Math.min(DOCUMENTED_RATE_LIMITS[operation] ?? Infinity, groupLimit);
}

/** `ram-write=20 cs=20 …`: what the worker prints at start. */
export function describeRateLimits(limits: RateLimits): string {
  if (limits === 'off') return 'off';
  const merged = { ...DOCUMENTED_RATE_LIMITS, ...limits };
  return Object.entries(merged)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** A slot for one call: give it back when the answer came (or the call failed). */
export interface Permit {
  /** How long the call waited for its slot, in milliseconds. */
  waitedMs: number;
  release(): void;
}

export interface RateLimiter {
  /**
   * Waits for a slot of `operation` (first come, first served). Rejects with the signal's reason if `signal` aborts
   * while waiting (the activity was cancelled): the call is then not made.
   */
  acquire(operation: string, signal?: AbortSignal): Promise<Permit>;
}

const WINDOW_MS = 1000;

export function rateLimiter(limits: RateLimits, now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, OperationWindow>();
  return {
    acquire(operation, signal) {
      const limit = limitOf(operation, limits);
      if (limit === undefined) return Promise.resolve({ waitedMs: 0, release: () => undefined });
      let window = windows.get(operation);
      if (!window) {
        window = new OperationWindow(limit, now);
        windows.set(operation, window);
      }
      return window.acquire(signal);
    },
  };
}

interface Waiter {
  since: number;
  grant(permit: Permit): void;
}

/** The slots of one operation: calls in flight, answers of the last window, and the calls waiting in order. */
class OperationWindow {
  private inFlight = 0;
  /** When the answers of the last window came back, oldest first. */
  private readonly answered: number[] = [];
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limit: number,
    private readonly now: () => number,
  ) {}

  acquire(signal?: AbortSignal): Promise<Permit> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<Permit>((resolve, reject) => {
      const waiter: Waiter = {
        since: this.now(),
        grant: (permit) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(permit);
        },
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.admit();
    });
  }

  /** Grants free slots to the first waiters; when none is free, wakes up as the oldest answer leaves the window. */
  private admit(): void {
    const now = this.now();
    while (this.answered.length > 0 && this.answered[0] <= now - WINDOW_MS) this.answered.shift();
    while (this.waiters.length > 0 && this.inFlight + this.answered.length < this.limit) {
      const waiter = this.waiters.shift() as Waiter;
      this.inFlight++;
      waiter.grant({ waitedMs: now - waiter.since, release: once(() => this.release()) });
    }
    if (this.waiters.length > 0 && this.answered.length > 0 && !this.timer) {
      // Only an answer leaving the window frees a slot by time; a call in flight frees one when it returns.
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          this.admit();
        },
        this.answered[0] + WINDOW_MS - now,
      );
    }
  }

  private release(): void {
    this.inFlight--;
    this.answered.push(this.now());
    this.admit();
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
