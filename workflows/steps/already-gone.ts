import { OffboardingStage } from '../../common/stages';
import { type LeftoverKubeconfig, type RunResult, type TargetIdentity } from '../../common/types';
import { type Run } from '../run/run';
import { revoke } from './revocation';
import { verifyRevocation } from './verification';

/**
 * The identity is gone from RAM, but kubeconfigs issued to it may still work (the risk this project exists for):
 * each leftover uid is revoked with Force — nobody can use the identity any more, so the 7-day check protects
 * nothing — and verified before the run ends AlreadyGone.
 */
export async function revokeLeftovers(
  run: Run,
  target: TargetIdentity,
  leftovers: LeftoverKubeconfig[],
): Promise<RunResult> {
  const uids = [...new Set(leftovers.map((k) => k.uid).filter(Boolean))];
  if (uids.length === 0) {
    return run.finish(
      OffboardingStage.AlreadyGone,
      `${run.targetRef} no longer exists and no kubeconfig is left for it`,
    );
  }
  run.board.status.findings.push(
    ...leftovers.map((k) => ({
      probe: 'leftover-kubeconfig',
      blocking: false,
      summary: `kubeconfig still valid on ${k.clusterId} for deleted ${run.targetRef} (uid ${k.uid})`,
      evidence: { clusterId: k.clusterId, uid: k.uid },
    })),
  );
  for (const uid of uids) {
    run.board.setUid(uid);
    const clean = await revoke(run, { uid, target, force: true });
    await verifyRevocation(run, { uid, target, taskId: clean.taskId });
  }
  return run.finish(
    OffboardingStage.AlreadyGone,
    `${run.targetRef} no longer exists; revoked ${leftovers.length} leftover kubeconfig(s)`,
  );
}
