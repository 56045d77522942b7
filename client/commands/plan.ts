import { type Plan } from '../../common/plan';
import { type CommandModule } from '../command';
import { type Ctx } from '../context';
import { ExitCode } from '../errors';
import {
  checkClusters,
  clusterOption,
  flagOfField,
  requireTarget,
  roleOption,
  type TargetFlags,
  userOption,
} from '../flags';
import { indent, table } from '../output';

/**
 * `offboard plan`: the dry run. The API has the worker run the production inventory and dependency-check activities
 * (the worker is the only one with Alibaba credentials) through SDK clients that can only read; it starts no
 * offboarding and changes nothing. What it cannot know without trying a write (Alibaba's 7-day recent-use refusal of
 * a clean without Force) it says it cannot know.
 */

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

/** A dry run takes the worker's reads of RAM and every cluster: give it longer than an ordinary call. */
const PLAN_TIMEOUT_MS = 90_000;

export const plan: CommandModule<PlanFlags> = {
  description:
    'Dry run: the worker reads the identity in Alibaba Cloud (RAM and ACS, read-only calls only) and shows what an ' +
    'offboarding would quarantine, revoke and delete, and what the dependency probes find. Changes nothing and ' +
    'starts no offboarding.',
  options: [userOption(), roleOption(), clusterOption()],
  action: dryRun,
};

async function dryRun(ctx: Ctx, flags: PlanFlags): Promise<ExitCode> {
  const target = requireTarget(flags);
  const clusterIds = checkClusters(flags.cluster);
  const planned = await ctx
    .api()
    .post<Plan>(
      '/v1/plans',
      { target, clusterIds },
      { timeoutMs: PLAN_TIMEOUT_MS, flagOf: (field) => flagOfField(field, flags) },
    );
  ctx.out.result(planned, renderPlan(planned));
  return planned.exists ? ExitCode.Ok : ExitCode.NotFound;
}
