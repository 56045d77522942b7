import { FailureType } from '../../common/errors';
import { OffboardingStage } from '../../common/stages';
import { type Inventory, type InventoryResult, type OffboardIdentityInput } from '../../common/types';
import { endRun } from '../run/ending';
import { describeFailure } from '../run/failures';
import { type Run } from '../run/run';

/**
 * Stage 1, Inventory: resolves the identity (name → uid) and snapshots what it holds — keys, console login, MFA,
 * groups, policies, kubeconfigs on every cluster, RBAC grants — and the clusters, with auditing known for those the
 * clean will touch. Read-only. An identity RAM no longer knows comes back with the kubeconfigs still issued to it.
 */
export async function takeInventory(run: Run, input: OffboardIdentityInput): Promise<InventoryResult> {
  run.board.transition(
    OffboardingStage.Inventory,
    `Reading what ${run.targetRef} holds: keys, console login, groups, policies, kubeconfigs, RBAC grants`,
  );
  const found = await refuseTheWorker(run, 'inventory', () =>
    run.act('inventoryIdentity', `Inventory of ${run.targetRef}`, {
      accountId: input.accountId,
      target: input.target,
      clusterIds: input.clusterIds,
      knownUids: run.memo.knownUids,
    }),
  );
  if (!found.exists) {
    run.board.audit('inventory', 'info', `${run.targetRef} does not exist in RAM`, found.requestIds);
    return found;
  }
  record(run, found.inventory);
  return found;
}

/**
 * A step that resolves the target. When the target turns out to be the worker itself by id (a renamed worker user, a
 * role worker), the run ends Refused: nothing was changed, and no retry would help.
 */
export async function refuseTheWorker<T>(run: Run, name: string, lookUp: () => Promise<T>): Promise<T> {
  try {
    return await run.step(name, lookUp, { handle: (type) => type === FailureType.TargetIsWorker });
  } catch (err) {
    const failure = describeFailure(err);
    if (failure.type !== FailureType.TargetIsWorker) throw err;
    run.board.audit(name, 'refused', failure.message);
    endRun(OffboardingStage.Refused, `refused: ${failure.message}; nothing was changed`);
  }
}

function record(run: Run, inv: Inventory): void {
  run.board.setUid(inv.uid);
  run.board.status.inventory = {
    accessKeys: inv.accessKeys.length,
    activeAccessKeys: inv.accessKeys.filter((k) => k.status === 'Active').length,
    consoleLogin: inv.loginProfile !== undefined,
    mfa: inv.mfaSerialNumber !== undefined,
    groups: inv.groups.length,
    policies: inv.policies.length,
    kubeconfigs: inv.kubeconfigs,
    grants: inv.grants.length,
  };
  const kubeconfigs = inv.kubeconfigs.map((k) => `${k.clusterId}=${k.certState}`).join(', ') || 'none';
  run.board.audit(
    'inventory',
    'ok',
    `uid ${inv.uid}: ${inv.accessKeys.length} key(s), login=${inv.loginProfile !== undefined}, mfa=${inv.mfaSerialNumber !== undefined}, ${inv.groups.length} group(s), ${inv.policies.length} policy(ies), kubeconfigs ${kubeconfigs}, ${inv.grants.length} grant(s)`,
    inv.requestIds,
  );
}
