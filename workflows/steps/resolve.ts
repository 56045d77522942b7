import { OffboardingStage } from '../../common/stages';
import { type RevokeKubeconfigInput } from '../../common/types';
import { type Run } from '../run/run';
import { leftoverUids } from './already-gone';
import { refuseTheWorker } from './inventory';

/**
 * For the leaked-kubeconfig response: the uid(s) to revoke. An identity RAM knows → its uid (GetUser/GetRole only:
 * every call before the clean costs time); one it no longer knows → the uids of the kubeconfigs still issued to it
 * (see already-gone.ts for how they are attributed).
 */
export async function resolveUids(run: Run, input: RevokeKubeconfigInput): Promise<string[]> {
  run.board.transition(OffboardingStage.Inventory, `Resolving ${run.targetRef} to its uid`);
  const resolved = await refuseTheWorker(run, 'resolveIdentity', () =>
    run.act('resolveIdentity', `Resolve ${run.targetRef}`, {
      accountId: input.accountId,
      target: input.target,
      knownUids: run.memo.knownUids,
    }),
  );
  if (resolved.exists) return ['uid' in resolved ? resolved.uid : resolved.inventory.uid];
  run.board.audit(
    'resolve',
    'info',
    `${run.targetRef} is not in RAM; ${resolved.leftoverKubeconfigs.length} leftover kubeconfig(s)`,
    resolved.requestIds,
  );
  return (await leftoverUids(run, resolved)).uids;
}
