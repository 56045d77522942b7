import { OffboardingStage } from '../../common/stages';
import { type InventoryResult, type LeftoverKubeconfig, type RunResult, type TargetIdentity } from '../../common/types';
import { endRun } from '../run/ending';
import { type Run } from '../run/run';
import { decideDependencies } from './dependencies';
import { revokeAndVerify } from './verification';

type Absent = Extract<InventoryResult, { exists: false }>;

const unique = (ks: readonly LeftoverKubeconfig[]) => [...new Set(ks.map((k) => k.uid).filter(Boolean))];

/**
 * The uids whose leftover kubeconfigs a run for an identity RAM no longer knows must revoke. Its own are matched by a
 * uid earlier runs recorded for it, or by its name. Clusters list deleted identities without a name (RAM cannot
 * resolve it any more), so a name match finding nothing proves nothing: while valid kubeconfigs of nameless deleted
 * identities exist and none is attributed to it, the run does not conclude "no kubeconfig left" — it asks an admin,
 * with those uids as evidence. Proceeding revokes them all (nobody may use a deleted identity's kubeconfig); abort
 * ends the run with nothing revoked.
 */
export async function leftoverUids(run: Run, found: Absent): Promise<{ uids: string[]; kubeconfigs: number }> {
  const own = found.leftoverKubeconfigs;
  const unattributed = found.unattributedKubeconfigs ?? [];
  run.board.status.findings.push(
    ...own.map((k) => ({
      probe: 'leftover-kubeconfig',
      blocking: false,
      summary: `kubeconfig still valid on ${k.clusterId} for deleted ${run.targetRef} (uid ${k.uid})`,
      evidence: { clusterId: k.clusterId, uid: k.uid },
    })),
  );
  const attribute = own.length === 0 && unattributed.length > 0;
  run.board.status.findings.push(
    ...unattributed.map((k) => ({
      probe: 'nameless-deleted-kubeconfig',
      blocking: attribute,
      summary: `kubeconfig still valid (${k.certState}) on ${k.clusterId} for a deleted identity the cluster lists without a name (uid ${k.uid}); ${attribute ? `it may be ${run.targetRef}'s` : `not attributed to ${run.targetRef}`}`,
      evidence: { clusterId: k.clusterId, uid: k.uid },
    })),
  );
  if (!attribute) return { uids: unique(own), kubeconfigs: own.length };

  const uids = unique(unattributed);
  const decision = await decideDependencies(
    run,
    `${unattributed.length} valid kubeconfig(s) of deleted identities listed without a name (uid ${uids.join(', ')}): ` +
      `RAM no longer resolves their names and no earlier run recorded a uid for ${run.targetRef}, so the run cannot ` +
      `tell whether they were its. Proceeding revokes them all; aborting revokes nothing`,
  );
  if (decision === 'abort') {
    endRun(
      OffboardingStage.Aborted,
      `aborted by an admin: ${run.targetRef} no longer exists, and the kubeconfigs of deleted identities listed without a name (uid ${uids.join(', ')}) could not be attributed to it; nothing was revoked`,
    );
  }
  return { uids, kubeconfigs: unattributed.length };
}

/**
 * The identity is gone from RAM, but kubeconfigs issued to it may still work (the risk this project exists for):
 * each leftover uid is revoked with Force — nobody can use the identity any more, so the 7-day check protects
 * nothing — and verified before the run ends AlreadyGone.
 */
export async function revokeLeftovers(run: Run, target: TargetIdentity, found: Absent): Promise<RunResult> {
  const { uids, kubeconfigs } = await leftoverUids(run, found);
  if (uids.length === 0) {
    return run.finish(
      OffboardingStage.AlreadyGone,
      `${run.targetRef} no longer exists and no kubeconfig is left for it`,
    );
  }
  for (const uid of uids) {
    run.board.setUid(uid);
    await revokeAndVerify(run, { uid, target, force: true });
  }
  return run.finish(
    OffboardingStage.AlreadyGone,
    `${run.targetRef} no longer exists; revoked ${kubeconfigs} leftover kubeconfig(s) (uid ${uids.join(', ')})`,
  );
}
