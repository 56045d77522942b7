import { OffboardingStage } from '../../common/stages';
import { type StepResult } from '../../activities/types';
import { type Run } from '../run/run';
import { type VerifiedRevocation } from './verification';

/** One call of the deletion: the Alibaba operation (for Blocked), what the audit trail says, and the call. */
interface DeletionCall {
  operation: string;
  done: string;
  call: () => Promise<StepResult>;
}

/**
 * Stage 7, Deletion — the point of no return, reachable only with a VerifiedRevocation. A fresh plan lists what must
 * go before DeleteUser/DeleteRole (the inventory may be days old); each call is idempotent ("not found" is success)
 * and no rescind interrupts it. The last call re-reads the live kubeconfigs and grants right before the delete.
 */
export async function deleteIdentity(run: Run, proof: VerifiedRevocation): Promise<void> {
  const target = proof.target;
  const op = target.type === 'user' ? 'DeleteUser' : 'DeleteRole';
  run.decisions.closeRescindWindow();
  run.board.transition(OffboardingStage.Deletion, `Deleting ${run.targetRef}: prerequisites first, then ${op}`);
  const plan = await run.step('planDeletion', () =>
    run.act('planDeletion', `Plan deletion of ${run.targetRef}`, { proof, target }),
  );
  const calls: DeletionCall[] = [
    ...plan.accessKeyIds.map((accessKeyId) => ({
      operation: 'DeleteAccessKey',
      done: `DeleteAccessKey ${accessKeyId}`,
      call: () => run.act('deleteAccessKey', `Delete access key ${accessKeyId}`, { proof, target, accessKeyId }),
    })),
    ...plan.groups.map((groupName) => ({
      operation: 'RemoveUserFromGroup',
      done: `RemoveUserFromGroup ${groupName}`,
      call: () => run.act('removeUserFromGroup', `Remove from group ${groupName}`, { proof, target, groupName }),
    })),
    ...plan.policies.map((policy) => ({
      operation: 'DetachPolicy',
      done: `DetachPolicy ${policy.policyType}/${policy.policyName}`,
      call: () => run.act('detachPolicy', `Detach policy ${policy.policyName}`, { proof, target, policy }),
    })),
    ...(plan.loginProfile
      ? [
          {
            operation: 'DeleteLoginProfile',
            done: 'DeleteLoginProfile',
            call: () => run.act('deleteLoginProfile', 'Delete login profile', { proof, target }),
          },
        ]
      : []),
    ...(plan.mfa
      ? [
          {
            operation: 'UnbindMFADevice',
            done: 'UnbindMFADevice',
            call: () => run.act('unbindMfaDevice', 'Unbind MFA device', { proof, target }),
          },
        ]
      : []),
    {
      operation: op,
      done: op,
      call: () =>
        run.act('deleteIdentity', `${op} ${target.name} (revocation verified ${proof.verifiedAt})`, { proof, target }),
    },
  ];
  for (const c of calls) {
    const r = await run.step(c.operation, c.call, { interruptible: false });
    run.board.status.deletedSteps.push(c.done);
    run.board.audit(c.done, 'ok', undefined, r.requestIds);
  }
}
