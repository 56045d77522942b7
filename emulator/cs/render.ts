import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import type { ResolvedIdentity } from '../state/identities';
import type { CertState, ClusterState, GrantState, KubeconfigRecord, TaskState } from '../state/world';
import { iso } from '../time';

/** CS response bodies: snake_case fields, ISO dates (the kubeconfig itself is in kubeconfig-yaml.ts). */

export function describeGrant(g: GrantState): Record<string, unknown> {
  return {
    resource_id: g.resourceId,
    resource_type: g.resourceType,
    role_name: g.roleName,
    role_type: g.roleType,
    is_owner: g.isOwner,
    is_ram_role: g.isRamRole,
  };
}

export function clusterSummary(c: ClusterState): Record<string, unknown> {
  return {
    cluster_id: c.id,
    name: c.name,
    cluster_type: c.clusterType,
    cluster_spec: c.clusterSpec,
    profile: c.profile,
    region_id: c.regionId,
    zone_id: c.zoneId,
    state: c.state,
    current_version: c.version,
    init_version: c.version,
    next_version: '',
    created: iso(c.created),
    updated: iso(c.created),
    size: c.size,
    vpc_id: c.vpcId,
    vswitch_id: `vsw-${c.id}`,
    vswitch_ids: [`vsw-${c.id}`],
    security_group_id: `sg-${c.id}`,
    resource_group_id: c.resourceGroupId,
    container_cidr: '172.20.0.0/16',
    service_cidr: '192.168.0.0/16',
    subnet_cidr: '172.20.0.0/16',
    proxy_mode: 'ipvs',
    network_mode: 'vpc',
    ip_stack: 'ipv4',
    master_url: JSON.stringify({
      api_server_endpoint: `https://${c.id}.emulator.invalid:6443`,
      intranet_api_server_endpoint: `https://192.168.0.1:6443`,
    }),
    // Real clusters name their audit-log project here; without auditing there is none to name.
    meta_data: JSON.stringify(c.auditLog ? { AuditProjectName: auditProjectName(c) } : {}),
    tags: c.tags,
    timezone: 'Asia/Shanghai',
    deletion_protection: true,
    private_zone: false,
    worker_ram_role_name: `KubernetesWorkerRole-${c.id}`,
    cluster_domain: 'cluster.local',
    external_loadbalancer_id: `lb-${c.id}`,
    maintenance_window: { enable: false },
    operation_policy: { cluster_auto_upgrade: { enabled: false, channel: 'stable' } },
  };
}

/** The Simple Log Service project that holds a cluster's API-server audit logs. */
export function auditProjectName(c: ClusterState): string {
  return `k8s-log-${c.id}`;
}

export function clusterDetail(c: ClusterState): Record<string, unknown> {
  return {
    ...clusterSummary(c),
    parameters: { KubernetesVersion: c.version, ClusterSpec: c.clusterSpec },
    rrsa_config: { enabled: false },
    extra_sans: [],
    node_cidr_mask: '26',
    auto_mode: { enable: false },
  };
}

export function describeTask(t: TaskState): Record<string, unknown> {
  return {
    task_id: t.id,
    // Not documented how CleanUserPermissions tasks are typed (reference §7); named after the operation.
    task_type: t.type,
    state: t.state,
    cluster_id: t.clusterIds.length === 1 ? t.clusterIds[0] : '',
    created: iso(t.created),
    updated: iso(t.updated),
    current_stage: t.state === 'running' ? 'CleanUserPermissions' : '',
    target: { id: t.uid, type: t.targetType },
    parameters: { uid: t.uid, cluster_ids: t.clusterIds.join(','), force: String(t.force) },
    stages: [],
    events: [],
    task_result:
      t.state === 'running'
        ? []
        : t.clusterIds.map((id) => ({ data: id, status: t.state === 'success' ? 'success' : 'failed' })),
    ...(t.failure && t.state !== 'running' && { error: { code: E.cleanTaskFailed, message: t.failure.message } }),
  };
}

function accountType(who: ResolvedIdentity | undefined): string {
  if (who?.kind === 'root') return 'RootAccount';
  if (who?.kind === 'role' || (who?.kind === 'deleted' && who.deleted.kind === 'role')) return 'RamRole';
  return 'RamUser';
}

/** A row of ListUserKubeConfigStates: one cluster, seen from one identity. */
export function userKubeconfigRow(
  c: ClusterState,
  rec: KubeconfigRecord | undefined,
  state: CertState,
): Record<string, unknown> {
  return {
    cluster_id: c.id,
    cluster_name: c.name,
    cluster_state: c.state,
    cert_state: state,
    cert_expire_time: rec?.expires !== undefined ? iso(rec.expires) : '',
  };
}

/**
 * A row of ListClusterKubeconfigStates: one identity's kubeconfig on the cluster. `nameless`: a deleted identity whose
 * name RAM can no longer resolve — no account_name or account_display_name at all.
 */
export function clusterKubeconfigRow(
  uid: string,
  who: ResolvedIdentity | undefined,
  rec: KubeconfigRecord,
  state: CertState,
  nameless = false,
): Record<string, unknown> {
  return {
    account_id: uid,
    ...(!nameless && {
      account_name: who?.name ?? '',
      account_display_name:
        who?.kind === 'user'
          ? who.user.displayName
          : who?.kind === 'deleted'
            ? (who.deleted.displayName ?? who.name)
            : (who?.name ?? ''),
    }),
    account_type: accountType(who),
    // The very risk this project exists for: a deleted identity's kubeconfig still listed as valid.
    account_state: who === undefined || who.kind === 'deleted' ? 'Deleted' : 'Active',
    cert_state: state,
    cert_expire_time: rec.expires !== undefined ? iso(rec.expires) : '',
    revokable: true,
  };
}
