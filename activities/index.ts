import { randomBytes } from 'node:crypto';
import * as $cs from '@alicloud/cs20151215';
import * as $ram from '@alicloud/ram20150501';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { FailureType } from '../common/errors';
import { identityRef } from '../common/validation';
import {
  type AccessKeySnapshot,
  type CleanResult,
  type DependencyFinding,
  type Inventory,
  type InventoryResult,
  type KubeconfigState,
  type LeftoverKubeconfig,
  type LoginProfileSnapshot,
  type PolicyRef,
  type RbacGrant,
  type RevocationProof,
  type TargetIdentity,
  type VerificationResult,
} from '../common/types';
import { type AlibabaClients } from './alibaba';
import { isNotFound, type Redactor, toFailure } from './classify';
import { type DependencyProbe } from './probes';
import { type AuditRecord, type AuditSink, type Notification, type Notifier } from './sinks';

export { createAlibabaClients, type AlibabaClientConfig, type AlibabaClients } from './alibaba';
export { defaultProbes, type DependencyProbe } from './probes';
export { consoleNotifier, directoryAuditSink, webhookNotifier, type AuditSink, type Notifier } from './sinks';

/** Everything the activities need, built once by the worker from its configuration. */
export interface ActivityDeps {
  clients: AlibabaClients;
  /** The one account whose credentials the worker holds; runs for other accounts are refused. */
  accountId: string;
  /** `user/<name>` or `role/<name>` of the worker's own identity: never a target. */
  workerIdentity: string;
  /** The worker's access key id when known: a target holding it is the worker itself. */
  workerAccessKeyId?: string;
  admins: string[];
  probes: DependencyProbe[];
  audit: AuditSink;
  notifier: Notifier;
  redact: Redactor;
  now?: () => Date;
}

/** Cert states that mean "this identity cannot use a kubeconfig on that cluster". */
export const REVOKED_CERT_STATES: readonly string[] = ['Removed', 'Unissued'];

export interface StepResult {
  /** False when the goal already held (NotFound, already inactive): running twice gives the same state. */
  changed: boolean;
  requestIds: string[];
}

export interface RunPolicy {
  accountId: string;
  admins: string[];
  workerIdentity: string;
}

export interface DeletionPlan {
  accessKeyIds: string[];
  groups: string[];
  policies: PolicyRef[];
  loginProfile: boolean;
  mfa: boolean;
  requestIds: string[];
}

interface WithRequestId {
  body?: { requestId?: string } | unknown;
  headers?: Record<string, string>;
}

function requestIdOf(res: WithRequestId | undefined): string[] {
  const fromBody = (res?.body as { requestId?: string } | undefined)?.requestId;
  const fromHeader = res?.headers?.['x-acs-request-id'];
  const id = fromBody || fromHeader;
  return id ? [id] : [];
}

/** Keep long SDK calls visible to the server: a worker that dies is noticed within the heartbeat timeout. */
async function withHeartbeat<T>(fn: () => Promise<T>): Promise<T> {
  let ctx: Context | undefined;
  try {
    ctx = Context.current();
  } catch {
    ctx = undefined; // called outside an activity (unit tests, scripts): nothing to heartbeat to
  }
  if (!ctx) return fn();
  const timer = setInterval(() => ctx.heartbeat(), 1_000);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.InvalidInput, message, nonRetryable: true });
}

function grantToBody(g: RbacGrant): $cs.GrantPermissionsRequestBody {
  const builtIn = ['admin', 'admin-view', 'ops', 'dev', 'restricted'];
  if (g.resourceType === 'console' || g.resourceId === 'all-clusters') {
    return new $cs.GrantPermissionsRequestBody({
      cluster: '',
      roleType: 'all-clusters',
      roleName: builtIn.includes(g.roleType) ? g.roleType : g.roleName,
      isCustom: !builtIn.includes(g.roleType),
      isRamRole: g.isRamRole,
    });
  }
  const [cluster, namespace] = g.resourceId.split('/');
  const custom = g.roleType === 'custom' || !builtIn.includes(g.roleType);
  return new $cs.GrantPermissionsRequestBody({
    cluster,
    namespace: g.resourceType === 'namespace' ? namespace : undefined,
    roleType: g.resourceType === 'namespace' ? 'namespace' : 'cluster',
    roleName: custom ? g.roleName : g.roleType,
    isCustom: custom,
    isRamRole: g.isRamRole,
  });
}

/** A proof is accepted only if it is for this identity and shows every cluster revoked and no grant left. */
export function checkProof(proof: RevocationProof | undefined, target: TargetIdentity): void {
  const ok =
    proof !== undefined &&
    proof.kind === 'RevocationProof' &&
    proof.target.type === target.type &&
    proof.target.name === target.name &&
    proof.grantsRemaining === 0 &&
    proof.kubeconfigs.every((k) => REVOKED_CERT_STATES.includes(k.certState));
  if (!ok) {
    throw ApplicationFailure.create({
      type: FailureType.MissingRevocationProof,
      message: `refusing to delete ${identityRef(target.type, target.name)}: no verified revocation for it`,
      nonRetryable: true,
    });
  }
}

export function createActivities(deps: ActivityDeps) {
  const { cs, ram } = deps.clients;
  const now = deps.now ?? (() => new Date());

  /** One SDK call: heartbeats while it runs, and any error becomes a classified, redacted ApplicationFailure. */
  async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await withHeartbeat(fn);
    } catch (err) {
      throw toFailure(operation, err, deps.redact);
    }
  }

  /** The same, for calls whose goal is absence or whose target may be missing: NotFound → undefined. */
  async function callOptional<T>(operation: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call(operation, fn);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  function assertAccount(accountId: string): void {
    if (accountId !== deps.accountId) {
      throw invalid(`accountId ${accountId} is not the account this worker serves (${deps.accountId})`);
    }
  }

  function assertNotWorker(target: TargetIdentity): void {
    if (identityRef(target.type, target.name) === deps.workerIdentity) {
      throw invalid(`target ${identityRef(target.type, target.name)} is the worker's own identity`);
    }
  }

  async function listKubeconfigs(uid: string, requestIds: string[]): Promise<KubeconfigState[]> {
    const states: KubeconfigState[] = [];
    for (let page = 1; page <= 100; page++) {
      const res = await call('ListUserKubeConfigStates', () =>
        cs.listUserKubeConfigStates(uid, new $cs.ListUserKubeConfigStatesRequest({ pageNumber: page, pageSize: 50 })),
      );
      requestIds.push(...requestIdOf(res));
      const batch = res.body?.states ?? [];
      for (const s of batch) {
        states.push({
          clusterId: s.clusterId ?? '',
          clusterName: s.clusterName,
          clusterState: s.clusterState,
          certState: s.certState ?? 'Unknown',
          certExpireTime: s.certExpireTime,
        });
      }
      const total = res.body?.page?.totalCount ?? states.length;
      if (batch.length === 0 || states.length >= total) break;
    }
    return states;
  }

  async function listGrants(uid: string, requestIds: string[]): Promise<RbacGrant[]> {
    const res = await call('DescribeUserPermission', () => cs.describeUserPermission(uid));
    requestIds.push(...requestIdOf(res));
    return (res.body ?? []).map((g) => ({
      resourceId: g.resourceId ?? '',
      resourceType: g.resourceType ?? '',
      roleName: g.roleName ?? '',
      roleType: g.roleType ?? '',
      isOwner: Number(g.isOwner) === 1,
      isRamRole: Number(g.isRamRole) === 1,
    }));
  }

  /** Kubeconfigs still issued on any cluster to an identity of that name that RAM no longer knows. */
  async function findLeftoverKubeconfigs(target: TargetIdentity, requestIds: string[]): Promise<LeftoverKubeconfig[]> {
    const clusters = await call('DescribeClustersV1', () =>
      cs.describeClustersV1(new $cs.DescribeClustersV1Request({ pageNumber: 1, pageSize: 100 })),
    );
    requestIds.push(...requestIdOf(clusters));
    const accountType = target.type === 'user' ? 'RamUser' : 'RamRole';
    const leftovers: LeftoverKubeconfig[] = [];
    for (const c of clusters.body?.clusters ?? []) {
      if (!c.clusterId) continue;
      const clusterId = c.clusterId;
      for (let page = 1; page <= 100; page++) {
        const res = await callOptional('ListClusterKubeconfigStates', () =>
          cs.listClusterKubeconfigStates(
            clusterId,
            new $cs.ListClusterKubeconfigStatesRequest({ pageNumber: page, pageSize: 50 }),
          ),
        );
        if (!res) break;
        requestIds.push(...requestIdOf(res));
        const batch = res.body?.states ?? [];
        for (const s of batch) {
          if (s.accountName === target.name && s.accountType === accountType && s.certState === 'Unexpired') {
            leftovers.push({
              clusterId,
              clusterName: c.name,
              certState: s.certState,
              certExpireTime: s.certExpireTime,
              uid: s.accountId ?? '',
            });
          }
        }
        const total = res.body?.page?.totalCount ?? 0;
        if (batch.length === 0 || page * 50 >= total) break;
      }
    }
    return leftovers;
  }

  return {
    /** The admin list and identity checks of the worker's configuration, read once per run (history stays deterministic). */
    async loadRunPolicy(): Promise<RunPolicy> {
      return { accountId: deps.accountId, admins: [...deps.admins], workerIdentity: deps.workerIdentity };
    },

    /** Resolves the identity (name → uid) and snapshots everything it holds. Read-only. */
    async inventoryIdentity(input: { accountId: string; target: TargetIdentity }): Promise<InventoryResult> {
      assertAccount(input.accountId);
      assertNotWorker(input.target);
      const { target } = input;
      const requestIds: string[] = [];
      let uid: string;
      let displayName: string | undefined;
      const accessKeys: AccessKeySnapshot[] = [];
      let loginProfile: LoginProfileSnapshot | undefined;
      let mfaSerialNumber: string | undefined;
      let groups: string[] = [];
      let policies: PolicyRef[];

      if (target.type === 'user') {
        const user = await callOptional('GetUser', () =>
          ram.getUser(new $ram.GetUserRequest({ userName: target.name })),
        );
        if (!user) {
          const leftovers = await findLeftoverKubeconfigs(target, requestIds);
          return { exists: false, target, leftoverKubeconfigs: leftovers, requestIds };
        }
        requestIds.push(...requestIdOf(user));
        uid = user.body?.user?.userId ?? '';
        displayName = user.body?.user?.displayName;
        const userName = target.name;
        const keys = await call('ListAccessKeys', () =>
          ram.listAccessKeys(new $ram.ListAccessKeysRequest({ userName })),
        );
        requestIds.push(...requestIdOf(keys));
        for (const k of keys.body?.accessKeys?.accessKey ?? []) {
          const accessKeyId = k.accessKeyId ?? '';
          const used = await callOptional('GetAccessKeyLastUsed', () =>
            ram.getAccessKeyLastUsed(new $ram.GetAccessKeyLastUsedRequest({ userName, userAccessKeyId: accessKeyId })),
          );
          accessKeys.push({
            accessKeyId,
            status: k.status ?? 'Unknown',
            createDate: k.createDate,
            lastUsedDate: used?.body?.accessKeyLastUsed?.lastUsedDate || undefined,
          });
        }
        if (deps.workerAccessKeyId && accessKeys.some((k) => k.accessKeyId === deps.workerAccessKeyId)) {
          throw invalid(`target user/${userName} holds the worker's own access key: the worker cannot offboard itself`);
        }
        const profile = await callOptional('GetLoginProfile', () =>
          ram.getLoginProfile(new $ram.GetLoginProfileRequest({ userName })),
        );
        if (profile?.body?.loginProfile) {
          loginProfile = {
            passwordResetRequired: Boolean(profile.body.loginProfile.passwordResetRequired),
            mfaBindRequired: Boolean(profile.body.loginProfile.MFABindRequired),
          };
        }
        const mfa = await callOptional('GetUserMFAInfo', () =>
          ram.getUserMFAInfo(new $ram.GetUserMFAInfoRequest({ userName })),
        );
        mfaSerialNumber = mfa?.body?.MFADevice?.serialNumber || undefined;
        const g = await call('ListGroupsForUser', () =>
          ram.listGroupsForUser(new $ram.ListGroupsForUserRequest({ userName })),
        );
        requestIds.push(...requestIdOf(g));
        groups = (g.body?.groups?.group ?? []).map((x) => x.groupName ?? '').filter(Boolean);
        const p = await call('ListPoliciesForUser', () =>
          ram.listPoliciesForUser(new $ram.ListPoliciesForUserRequest({ userName })),
        );
        requestIds.push(...requestIdOf(p));
        policies = (p.body?.policies?.policy ?? []).map((x) => ({
          policyName: x.policyName ?? '',
          policyType: x.policyType ?? 'System',
        }));
      } else {
        const role = await callOptional('GetRole', () =>
          ram.getRole(new $ram.GetRoleRequest({ roleName: target.name })),
        );
        if (!role) {
          const leftovers = await findLeftoverKubeconfigs(target, requestIds);
          return { exists: false, target, leftoverKubeconfigs: leftovers, requestIds };
        }
        requestIds.push(...requestIdOf(role));
        uid = role.body?.role?.roleId ?? '';
        const p = await call('ListPoliciesForRole', () =>
          ram.listPoliciesForRole(new $ram.ListPoliciesForRoleRequest({ roleName: target.name })),
        );
        requestIds.push(...requestIdOf(p));
        policies = (p.body?.policies?.policy ?? []).map((x) => ({
          policyName: x.policyName ?? '',
          policyType: x.policyType ?? 'System',
        }));
      }
      if (!uid)
        throw ApplicationFailure.create({
          type: FailureType.Unexpected,
          message: `no id returned for ${identityRef(target.type, target.name)}`,
          nonRetryable: true,
        });
      if (uid === input.accountId) throw invalid('target resolves to the root account, which cannot be offboarded');

      const kubeconfigs = await listKubeconfigs(uid, requestIds);
      const grants = await listGrants(uid, requestIds);
      const inventory: Inventory = {
        target,
        uid,
        displayName,
        accessKeys,
        loginProfile,
        mfaSerialNumber,
        groups,
        policies,
        kubeconfigs,
        grants,
        takenAt: now().toISOString(),
        requestIds,
      };
      return { exists: true, inventory };
    },

    /**
     * Name → uid only (GetUser/GetRole), for the leaked-kubeconfig response where every call before the clean costs
     * time. An identity RAM no longer knows is searched for in the clusters' kubeconfig lists instead.
     */
    async resolveIdentity(input: {
      accountId: string;
      target: TargetIdentity;
    }): Promise<InventoryResult | { exists: true; uid: string; requestIds: string[] }> {
      assertAccount(input.accountId);
      assertNotWorker(input.target);
      const { target } = input;
      const requestIds: string[] = [];
      const res =
        target.type === 'user'
          ? await callOptional('GetUser', () => ram.getUser(new $ram.GetUserRequest({ userName: target.name })))
          : await callOptional('GetRole', () => ram.getRole(new $ram.GetRoleRequest({ roleName: target.name })));
      if (!res) {
        const leftovers = await findLeftoverKubeconfigs(target, requestIds);
        return { exists: false, target, leftoverKubeconfigs: leftovers, requestIds };
      }
      const body = res.body as { user?: { userId?: string }; role?: { roleId?: string } } | undefined;
      const uid = body?.user?.userId ?? body?.role?.roleId ?? '';
      if (!uid)
        throw ApplicationFailure.create({
          type: FailureType.Unexpected,
          message: `no id returned for ${identityRef(target.type, target.name)}`,
          nonRetryable: true,
        });
      if (uid === input.accountId) throw invalid('target resolves to the root account, which cannot be cleaned');
      return { exists: true, uid, requestIds: requestIdOf(res) };
    },

    /** Runs the configured probes over the inventory. Read-only. */
    async checkDependencies(input: { inventory: Inventory }): Promise<DependencyFinding[]> {
      const findings: DependencyFinding[] = [];
      for (const probe of deps.probes) findings.push(...(await probe.run(input.inventory, now())));
      return findings;
    },

    /** Quarantine: an access key stops working. Undone by activateAccessKey. */
    async deactivateAccessKey(input: { userName: string; accessKeyId: string }): Promise<StepResult> {
      const res = await callOptional('UpdateAccessKey', () =>
        ram.updateAccessKey(
          new $ram.UpdateAccessKeyRequest({
            userName: input.userName,
            userAccessKeyId: input.accessKeyId,
            status: 'Inactive',
          }),
        ),
      );
      return { changed: res !== undefined, requestIds: requestIdOf(res) };
    },

    async activateAccessKey(input: { userName: string; accessKeyId: string }): Promise<StepResult> {
      const res = await callOptional('UpdateAccessKey', () =>
        ram.updateAccessKey(
          new $ram.UpdateAccessKeyRequest({
            userName: input.userName,
            userAccessKeyId: input.accessKeyId,
            status: 'Active',
          }),
        ),
      );
      return { changed: res !== undefined, requestIds: requestIdOf(res) };
    },

    /** Quarantine: console login stops working (the login profile is removed). Undone by restoreConsoleLogin. */
    async blockConsoleLogin(input: { userName: string }): Promise<StepResult> {
      const res = await callOptional('DeleteLoginProfile', () =>
        ram.deleteLoginProfile(new $ram.DeleteLoginProfileRequest({ userName: input.userName })),
      );
      return { changed: res !== undefined, requestIds: requestIdOf(res) };
    },

    /**
     * Gives console login back with the snapshotted settings. The old password cannot be restored: a random one is set
     * and never kept (not returned, not logged), with PasswordResetRequired, so an admin must hand out a new one.
     */
    async restoreConsoleLogin(input: { userName: string; profile: LoginProfileSnapshot }): Promise<StepResult> {
      const existing = await callOptional('GetLoginProfile', () =>
        ram.getLoginProfile(new $ram.GetLoginProfileRequest({ userName: input.userName })),
      );
      if (existing?.body?.loginProfile) return { changed: false, requestIds: requestIdOf(existing) };
      const password = `${randomBytes(18).toString('base64url')}Aa1!`;
      const res = await call('CreateLoginProfile', () =>
        ram.createLoginProfile(
          new $ram.CreateLoginProfileRequest({
            userName: input.userName,
            password,
            passwordResetRequired: true,
            MFABindRequired: input.profile.mfaBindRequired,
          }),
        ),
      );
      return { changed: true, requestIds: requestIdOf(res) };
    },

    /**
     * Revocation: removes the identity's kubeconfigs and RBAC grants, on all clusters (CleanUserPermissions, an
     * asynchronous task) or on the named ones (CleanClusterUserPermissions each). Without `force` Alibaba refuses when
     * the identity used a cluster in the last 7 days: that comes back as a non-retryable RecentClusterAccess.
     */
    async cleanPermissions(input: {
      uid: string;
      target: TargetIdentity;
      clusterIds?: string[];
      force: boolean;
    }): Promise<CleanResult> {
      assertNotWorker(input.target);
      if (input.uid === deps.accountId) throw invalid('refusing to clean the root account');
      if (input.clusterIds && input.clusterIds.length > 0) {
        const requestIds: string[] = [];
        for (const clusterId of input.clusterIds) {
          const res = await callOptional('CleanClusterUserPermissions', () =>
            cs.cleanClusterUserPermissions(
              clusterId,
              input.uid,
              new $cs.CleanClusterUserPermissionsRequest({ force: input.force }),
            ),
          );
          requestIds.push(...requestIdOf(res));
        }
        return { mode: 'per-cluster', force: input.force, clusterIds: input.clusterIds, requestIds };
      }
      const res = await call('CleanUserPermissions', () =>
        cs.cleanUserPermissions(input.uid, new $cs.CleanUserPermissionsRequest({ force: input.force })),
      );
      return { mode: 'all-clusters', force: input.force, taskId: res.body?.taskId, requestIds: requestIdOf(res) };
    },

    /**
     * Follows the clean task: a running task throws the retryable CleanTaskPending, so the activity retry policy is
     * the polling loop (bounded by its schedule-to-close timeout); a failed task is non-retryable.
     */
    async awaitCleanTask(input: { taskId: string }): Promise<{ state: string; requestIds: string[] }> {
      const res = await call('DescribeTaskInfo', () => cs.describeTaskInfo(input.taskId));
      const state = res.body?.state ?? 'unknown';
      if (state === 'success') return { state, requestIds: requestIdOf(res) };
      if (state === 'fail' || state === 'failed') {
        const e = res.body?.error;
        throw ApplicationFailure.create({
          type: FailureType.CleanTaskFailed,
          message: `clean task ${input.taskId} failed${e?.code ? `: ${e.code}` : ''}${e?.message ? ` ${deps.redact(e.message)}` : ''}`,
          nonRetryable: true,
        });
      }
      // BENIGN: the expected "not yet" of the polling loop, logged quietly by the worker.
      throw ApplicationFailure.create({
        type: FailureType.CleanTaskPending,
        message: `clean task ${input.taskId} is ${state}`,
        nonRetryable: false,
        category: ApplicationFailureCategory.BENIGN,
      });
    },

    /**
     * Verification read: every cluster (or every named cluster) reports the kubeconfig Removed or Unissued, and no
     * RBAC grant remains there. Anything else throws the retryable RevocationNotVerified with what is left.
     */
    async verifyRevocation(input: {
      uid: string;
      clusterIds?: string[];
      taskId?: string;
    }): Promise<VerificationResult> {
      const requestIds: string[] = [];
      const scoped = input.clusterIds && input.clusterIds.length > 0 ? new Set(input.clusterIds) : undefined;
      const all = await listKubeconfigs(input.uid, requestIds);
      const kubeconfigs = scoped ? all.filter((k) => scoped.has(k.clusterId)) : all;
      const grants = (await listGrants(input.uid, requestIds)).filter((g) => {
        if (!scoped) return true;
        const cluster = g.resourceId.split('/')[0];
        return scoped.has(cluster) || g.resourceType === 'console' || g.resourceId === 'all-clusters';
      });
      const usable = kubeconfigs.filter((k) => !REVOKED_CERT_STATES.includes(k.certState));
      if (usable.length > 0 || grants.length > 0) {
        throw ApplicationFailure.create({
          type: FailureType.RevocationNotVerified,
          message: `revocation not verified for uid ${input.uid}: ${usable.map((k) => `${k.clusterId}=${k.certState}`).join(', ') || 'no usable kubeconfig'}; ${grants.length} RBAC grant(s) left (${grants.map((g) => g.resourceId).join(', ')})`,
          nonRetryable: false,
        });
      }
      return {
        uid: input.uid,
        verifiedAt: now().toISOString(),
        taskId: input.taskId,
        kubeconfigs,
        grantsRemaining: 0,
        requestIds,
      };
    },

    /** Compensation of revocation: puts the snapshotted RBAC grants back (a full overwrite, so idempotent). */
    async regrantPermissions(input: { uid: string; grants: RbacGrant[] }): Promise<StepResult> {
      if (input.grants.length === 0) return { changed: false, requestIds: [] };
      const res = await call('GrantPermissions', () =>
        cs.grantPermissions(input.uid, new $cs.GrantPermissionsRequest({ body: input.grants.map(grantToBody) })),
      );
      return { changed: true, requestIds: requestIdOf(res) };
    },

    /** Fresh list of what must go before DeleteUser/DeleteRole (the inventory may be days old). */
    async planDeletion(input: { proof: RevocationProof; target: TargetIdentity }): Promise<DeletionPlan> {
      checkProof(input.proof, input.target);
      const requestIds: string[] = [];
      const { target } = input;
      if (target.type === 'role') {
        const p = await callOptional('ListPoliciesForRole', () =>
          ram.listPoliciesForRole(new $ram.ListPoliciesForRoleRequest({ roleName: target.name })),
        );
        requestIds.push(...requestIdOf(p));
        const policies = (p?.body?.policies?.policy ?? []).map((x) => ({
          policyName: x.policyName ?? '',
          policyType: x.policyType ?? 'System',
        }));
        return { accessKeyIds: [], groups: [], policies, loginProfile: false, mfa: false, requestIds };
      }
      const userName = target.name;
      const keys = await callOptional('ListAccessKeys', () =>
        ram.listAccessKeys(new $ram.ListAccessKeysRequest({ userName })),
      );
      const groups = await callOptional('ListGroupsForUser', () =>
        ram.listGroupsForUser(new $ram.ListGroupsForUserRequest({ userName })),
      );
      const policies = await callOptional('ListPoliciesForUser', () =>
        ram.listPoliciesForUser(new $ram.ListPoliciesForUserRequest({ userName })),
      );
      const profile = await callOptional('GetLoginProfile', () =>
        ram.getLoginProfile(new $ram.GetLoginProfileRequest({ userName })),
      );
      const mfa = await callOptional('GetUserMFAInfo', () =>
        ram.getUserMFAInfo(new $ram.GetUserMFAInfoRequest({ userName })),
      );
      for (const r of [keys, groups, policies, profile, mfa]) requestIds.push(...requestIdOf(r));
      return {
        accessKeyIds: (keys?.body?.accessKeys?.accessKey ?? []).map((k) => k.accessKeyId ?? '').filter(Boolean),
        groups: (groups?.body?.groups?.group ?? []).map((g) => g.groupName ?? '').filter(Boolean),
        policies: (policies?.body?.policies?.policy ?? []).map((x) => ({
          policyName: x.policyName ?? '',
          policyType: x.policyType ?? 'System',
        })),
        loginProfile: Boolean(profile?.body?.loginProfile),
        mfa: Boolean(mfa?.body?.MFADevice?.serialNumber),
        requestIds,
      };
    },

    async deleteAccessKey(input: {
      proof: RevocationProof;
      target: TargetIdentity;
      accessKeyId: string;
    }): Promise<StepResult> {
      checkProof(input.proof, input.target);
      const res = await callOptional('DeleteAccessKey', () =>
        ram.deleteAccessKey(
          new $ram.DeleteAccessKeyRequest({ userName: input.target.name, userAccessKeyId: input.accessKeyId }),
        ),
      );
      return { changed: res !== undefined, requestIds: requestIdOf(res) };
    },

    async removeUserFromGroup(input: {
      proof: RevocationProof;
      target: TargetIdentity;
      groupName: string;
    }): Promise<StepResult> {
      checkProof(input.proof, input.target);
      const res = await callOptional('RemoveUserFromGroup', () =>
        ram.removeUserFromGroup(
          new $ram.RemoveUserFromGroupRequest({ userName: input.target.name, groupName: input.groupName }),
        ),
      );
      return { changed: res !== undefined, requestIds: requestIdOf(res) };
    },

    async detachPolicy(input: {
      proof: RevocationProof;
      target: TargetIdentity;
      policy: PolicyRef;
    }): Promise<StepResult> {
      checkProof(input.proof, input.target);
      const { policyName, policyType } = input.policy;
      const res =
        input.target.type === 'user'
          ? await callOptional('DetachPolicyFromUser', () =>
              ram.detachPolicyFromUser(
                new $ram.DetachPolicyFromUserRequest({ userName: input.target.name, policyName, policyType }),
              ),
            )
          : await callOptional('DetachPolicyFromRole', () =>
              ram.detachPolicyFromRole(
                new $ram.DetachPolicyFromRoleRequest({ roleName: input.target.name, policyName, policyType }),
              ),
            );
      return { changed: res !== undefined, requestIds: requestIdOf(res) };
    },

    async deleteLoginProfile(input: { proof: RevocationProof; target: TargetIdentity }): Promise<StepResult> {
      checkProof(input.proof, input.target);
      const res = await callOptional('DeleteLoginProfile', () =>
        ram.deleteLoginProfile(new $ram.DeleteLoginProfileRequest({ userName: input.target.name })),
      );
      return { changed: res !== undefined, requestIds: requestIdOf(res) };
    },

    async unbindMfaDevice(input: { proof: RevocationProof; target: TargetIdentity }): Promise<StepResult> {
      checkProof(input.proof, input.target);
      const res = await callOptional('UnbindMFADevice', () =>
        ram.unbindMFADevice(new $ram.UnbindMFADeviceRequest({ userName: input.target.name })),
      );
      return { changed: res !== undefined, requestIds: requestIdOf(res) };
    },

    /**
     * The point of no return. Takes the proof, and re-reads the identity's kubeconfigs and grants right before the
     * delete: one issued since verification (by an admin, say) stops the deletion instead of outliving the identity.
     */
    async deleteIdentity(input: { proof: RevocationProof; target: TargetIdentity }): Promise<StepResult> {
      checkProof(input.proof, input.target);
      const requestIds: string[] = [];
      const kubeconfigs = await listKubeconfigs(input.proof.uid, requestIds);
      const grants = await listGrants(input.proof.uid, requestIds);
      const usable = kubeconfigs.filter((k) => !REVOKED_CERT_STATES.includes(k.certState));
      if (usable.length > 0 || grants.length > 0) {
        throw ApplicationFailure.create({
          type: FailureType.RevocationNotVerified,
          message: `refusing to delete ${identityRef(input.target.type, input.target.name)}: since verification it got ${usable.length} usable kubeconfig(s) and ${grants.length} grant(s) again`,
          nonRetryable: true,
        });
      }
      const res =
        input.target.type === 'user'
          ? await callOptional('DeleteUser', () =>
              ram.deleteUser(new $ram.DeleteUserRequest({ userName: input.target.name })),
            )
          : await callOptional('DeleteRole', () =>
              ram.deleteRole(new $ram.DeleteRoleRequest({ roleName: input.target.name })),
            );
      return { changed: res !== undefined, requestIds: [...requestIds, ...requestIdOf(res)] };
    },

    /** Sends a notification (webhook or console). Failures are retried a few times, then the workflow records them. */
    async notify(input: Notification): Promise<void> {
      try {
        await deps.notifier.send(input);
      } catch (err) {
        throw toFailure('notify', err, deps.redact);
      }
    },

    /** Writes the run's audit record; rewriting it is harmless (same file, same content). Returns its path. */
    async writeAuditRecord(input: AuditRecord): Promise<string> {
      return deps.audit.write(input);
    },
  };
}

export type OffboardActivities = ReturnType<typeof createActivities>;
