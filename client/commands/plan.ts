import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities';
import {
  checkTarget,
  type DependencyFinding,
  FailureType,
  type Inventory,
  type InventoryResult,
  type KubeconfigState,
  type TargetIdentity,
} from '../../common';
import { activityDepsFromConfig } from '../../activities/from-config';
import { type CommandModule } from '../command';
import { workerSettings } from '../config';
import { type Ctx } from '../context';
import { CliError, cloudCallError, ExitCode } from '../errors';
import {
  checkClusters,
  clusterOption,
  inputProblemsError,
  requireTarget,
  roleOption,
  type TargetFlags,
  userOption,
} from '../flags';
import { indent, table } from '../output';
import { readOnlyClients } from '../../activities/read-only';

/**
 * `offboard plan`: the dry run. It runs the production inventory and dependency-check activities in this process,
 * against the configured cloud (the emulator by default), through SDK clients that can only read. It starts no run
 * and changes nothing; what it cannot know without trying a write (Alibaba's 7-day recent-use refusal of a clean
 * without Force) it says it cannot know.
 */

export interface Plan {
  target: TargetIdentity;
  accountId: string;
  exists: boolean;
  uid?: string;
  quarantine: string[];
  revoke: { mode: 'all-clusters' | 'per-cluster'; kubeconfigs: KubeconfigState[]; grants: number };
  delete: string[];
  findings: DependencyFinding[];
  blocking: boolean;
  notKnowable: string[];
  leftoverKubeconfigs?: KubeconfigState[];
  requestIds: string[];
}

export function buildPlan(
  accountId: string,
  result: InventoryResult,
  findings: DependencyFinding[],
  clusterIds?: string[],
): Plan {
  const notKnowable = [
    'Alibaba refuses a clean without Force when the identity used a cluster in the last 7 days; that is only known ' +
      'when the run asks (it asks without Force first, and a refusal becomes a finding for an admin to resolve).',
  ];
  if (!result.exists) {
    return {
      target: result.target,
      accountId,
      exists: false,
      quarantine: [],
      revoke: { mode: clusterIds ? 'per-cluster' : 'all-clusters', kubeconfigs: result.leftoverKubeconfigs, grants: 0 },
      delete: [],
      findings: [],
      blocking: false,
      notKnowable: [],
      leftoverKubeconfigs: result.leftoverKubeconfigs,
      requestIds: result.requestIds,
    };
  }
  const inv: Inventory = result.inventory;
  const inScope = (clusterId: string) => !clusterIds || clusterIds.includes(clusterId);
  const quarantine = [
    ...inv.accessKeys.filter((k) => k.status === 'Active').map((k) => `deactivate access key ${k.accessKeyId}`),
    ...(inv.loginProfile ? ['block console login'] : []),
  ];
  const del =
    inv.target.type === 'user'
      ? [
          ...inv.accessKeys.map((k) => `delete access key ${k.accessKeyId}`),
          ...inv.groups.map((g) => `remove from group ${g}`),
          ...inv.policies.map((p) => `detach policy ${p.policyName} (${p.policyType})`),
          ...(inv.loginProfile ? ['delete login profile'] : []),
          ...(inv.mfaSerialNumber ? ['unbind MFA device'] : []),
          `DeleteUser ${inv.target.name}`,
        ]
      : [
          ...inv.policies.map((p) => `detach policy ${p.policyName} (${p.policyType})`),
          `DeleteRole ${inv.target.name}`,
        ];
  return {
    target: inv.target,
    accountId,
    exists: true,
    uid: inv.uid,
    quarantine,
    revoke: {
      mode: clusterIds ? 'per-cluster' : 'all-clusters',
      kubeconfigs: inv.kubeconfigs.filter((k) => inScope(k.clusterId)),
      grants: inv.grants.filter((g) => inScope(g.resourceId.split('/')[0])).length,
    },
    delete: del,
    findings,
    blocking: findings.some((f) => f.blocking),
    notKnowable,
    requestIds: inv.requestIds,
  };
}

export function renderPlan(plan: Plan): string {
  const ref = `${plan.target.type}/${plan.target.name}`;
  if (!plan.exists) {
    const left = plan.leftoverKubeconfigs ?? [];
    return [
      `Dry run for ${ref} in account ${plan.accountId}: RAM has no such ${plan.target.type}.`,
      left.length
        ? `But kubeconfigs are still issued for that name — the exact risk of deleting before revoking:\n${table(
            ['cluster', 'kubeconfig', 'expires'],
            left.map((k) => [k.clusterId, k.certState, k.certExpireTime]),
          )}\nRevoke them now: offboard revoke --${plan.target.type} ${plan.target.name}`
        : 'No kubeconfig is left for it on any cluster: an offboarding would end AlreadyGone.',
      'Nothing was changed.',
    ].join('\n');
  }
  const list = (items: string[]) => (items.length ? items.map((i) => `  - ${i}`).join('\n') : '  (nothing)');
  const out = [
    `Dry run for ${ref} (uid ${plan.uid}) in account ${plan.accountId}. Nothing was changed.`,
    '',
    '1. Quarantine (undone if the deletion is rejected with --restore-access):',
    list(plan.quarantine),
    '',
    `2. Revoke kubeconfigs and RBAC grants (${plan.revoke.mode === 'all-clusters' ? 'CleanUserPermissions, all clusters' : 'CleanClusterUserPermissions per cluster'}; ${plan.revoke.grants} grant(s)):`,
    plan.revoke.kubeconfigs.length
      ? table(
          ['cluster', 'kubeconfig now', 'expires'],
          plan.revoke.kubeconfigs.map((k) => [k.clusterId, k.certState, k.certExpireTime]),
        )
      : '  (no kubeconfig issued)',
    '',
    '3. Verify: every cluster reports the kubeconfig Removed or Unissued, and no RBAC grant remains.',
    '',
    '4. After an admin approves — delete (irreversible):',
    list(plan.delete),
    '',
    'Dependency findings:',
    plan.findings.length
      ? table(
          ['probe', 'blocking', 'finding'],
          plan.findings.map((f) => [f.probe, f.blocking ? 'yes' : 'no', f.summary]),
        )
      : '  none',
  ];
  if (plan.blocking)
    out.push('A run would stop at DependencyCheck and wait for an admin: offboard resolve … --proceed|--abort');
  out.push('', 'Not knowable without trying:', indent(plan.notKnowable.map((n) => `- ${n}`).join('\n'), '  '));
  out.push('', 'Only read-only calls were made (their request ids are in --json).');
  return out.join('\n');
}

type PlanFlags = TargetFlags & { cluster?: string[] };

export const plan: CommandModule<PlanFlags> = {
  description:
    'Dry run: reads the identity in Alibaba Cloud (RAM and ACS, read-only calls only) and shows what an ' +
    'offboarding would quarantine, revoke and delete, and what the dependency probes find. Changes nothing and ' +
    "starts no run. Reads with the worker's configuration (OFFBOARD_* and ALIBABA_CLOUD_* variables).",
  options: [userOption(), roleOption(), clusterOption()],
  action: dryRun,
};

async function dryRun(ctx: Ctx, flags: PlanFlags): Promise<ExitCode> {
  const target = requireTarget(flags);
  checkClusters(flags.cluster);
  const config = workerSettings(ctx.env);
  let deps;
  try {
    deps = await activityDepsFromConfig(config);
  } catch (err) {
    throw new CliError(ExitCode.BadInput, (err as Error).message, 'NoCredentials');
  }
  const refuse = () => Promise.reject(new Error('dry run: nothing is written or sent'));
  const activities = createActivities({
    ...deps,
    clients: readOnlyClients(deps.clients),
    audit: { write: refuse },
    notifier: { send: refuse },
  });
  const accountId = config.alibaba.accountId;
  // The root account and the worker's own identity are refused before anything is read, as the runs refuse them.
  const problems = checkTarget(target, { field: 'target', accountId, workerIdentity: config.alibaba.workerIdentity });
  if (problems.length) throw inputProblemsError(problems, () => `--${target.type}`);
  let planned: Plan;
  try {
    const result = await activities.inventoryIdentity({ accountId, target });
    const findings = result.exists ? await activities.checkDependencies({ inventory: result.inventory }) : [];
    planned = buildPlan(accountId, result, findings, flags.cluster);
  } catch (err) {
    if (err instanceof ApplicationFailure) {
      const unreachable =
        `Is the emulator (or Alibaba Cloud) reachable? OFFBOARD_CS_ENDPOINT=${config.alibaba.csEndpoint ?? 'default'}, ` +
        `OFFBOARD_RAM_ENDPOINT=${config.alibaba.ramEndpoint ?? 'default'} (npm run emulator starts the emulator).`;
      throw cloudCallError(err, { [FailureType.Unavailable]: unreachable, [FailureType.Throttled]: unreachable });
    }
    throw err;
  }
  ctx.out.result(planned, renderPlan(planned));
  return planned.exists ? ExitCode.Ok : ExitCode.NotFound;
}
