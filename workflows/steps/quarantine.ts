import { DENY_ALL_POLICY, isLockedTrustPolicy } from '../../common/lockout';
import { OffboardingStage } from '../../common/stages';
import { type Inventory } from '../../common/types';
import { type Run } from '../run/run';

/**
 * Stage 3, Quarantine: cuts access in ways that can be undone, each registering its undo before the change. Every
 * identity gets the deny-all policy (RAM evaluates policies per request, so sessions already open stop too); a user's
 * active access keys are deactivated and console login blocked; a role's trust policy is replaced by one nobody can
 * assume (the old one is in the inventory, for restore).
 */
export async function quarantine(run: Run, inv: Inventory): Promise<void> {
  run.board.transition(
    OffboardingStage.Quarantine,
    inv.target.type === 'user'
      ? `Cutting ${run.targetRef}'s access in ways that can be undone: deny-all policy attached, access keys off, console login blocked`
      : `Cutting ${run.targetRef}'s access in ways that can be undone: deny-all policy attached, trust policy locked`,
  );
  await denyAll(run, inv);
  if (inv.target.type === 'role') await lockTrust(run, inv);
  else await cutUserCredentials(run, inv);
}

/** The deny-all policy; one left attached by an earlier run is left as it is (this run did not attach it). */
async function denyAll(run: Run, inv: Inventory): Promise<void> {
  const target = inv.target;
  if (inv.policies.some((p) => p.policyType === 'Custom' && p.policyName === DENY_ALL_POLICY)) {
    run.board.audit(`attach ${DENY_ALL_POLICY}`, 'info', 'already attached before this run');
    return;
  }
  const attachOp = target.type === 'user' ? 'AttachPolicyToUser' : 'AttachPolicyToRole';
  const detachOp = target.type === 'user' ? 'DetachPolicyFromUser' : 'DetachPolicyFromRole';
  run.register({
    name: `detach ${DENY_ALL_POLICY} from ${run.targetRef}`,
    run: async () => {
      const r = await run.act('detachDenyPolicy', `Detach ${DENY_ALL_POLICY} from ${run.targetRef}`, { target });
      run.board.audit(`${detachOp} ${DENY_ALL_POLICY} (restore)`, 'ok', undefined, r.requestIds);
    },
  });
  const r = await run.step(attachOp, () =>
    run.act('attachDenyPolicy', `Attach ${DENY_ALL_POLICY} to ${run.targetRef}`, { target }),
  );
  run.board.audit(`${attachOp} ${DENY_ALL_POLICY}`, 'ok', 'every request of the identity is denied', r.requestIds);
}

/** A role's trust policy → one nobody can assume; the snapshot goes back on restore. */
async function lockTrust(run: Run, inv: Inventory): Promise<void> {
  const roleName = inv.target.name;
  const snapshot = inv.trustPolicy;
  if (snapshot === undefined || isLockedTrustPolicy(snapshot)) {
    run.board.audit('UpdateRole trust policy', 'info', snapshot ? 'already locked before this run' : 'none to lock');
    return;
  }
  run.register({
    name: `restore the trust policy of ${run.targetRef}`,
    run: async () => {
      const r = await run.act('restoreTrustPolicy', `Restore the trust policy of ${run.targetRef}`, {
        roleName,
        document: snapshot,
      });
      run.board.audit('UpdateRole trust policy (restore)', 'ok', undefined, r.requestIds);
    },
  });
  const r = await run.step('UpdateRole', () =>
    run.act('lockTrustPolicy', `Lock the trust policy of ${run.targetRef}`, { roleName }),
  );
  run.board.audit('UpdateRole trust policy locked', 'ok', 'nobody can assume the role', r.requestIds);
}

/** A user's active access keys off, console login blocked. */
async function cutUserCredentials(run: Run, inv: Inventory): Promise<void> {
  const userName = inv.target.name;
  for (const key of inv.accessKeys.filter((k) => k.status === 'Active')) {
    const { accessKeyId } = key;
    run.register({
      name: `re-activate access key ${accessKeyId}`,
      run: async () => {
        const r = await run.act('activateAccessKey', `Re-activate key ${accessKeyId}`, { userName, accessKeyId });
        run.board.audit('UpdateAccessKey Active (restore)', 'ok', accessKeyId, r.requestIds);
      },
    });
    const r = await run.step('UpdateAccessKey', () =>
      run.act('deactivateAccessKey', `Deactivate access key ${accessKeyId}`, { userName, accessKeyId }),
    );
    run.board.audit('UpdateAccessKey Inactive', 'ok', accessKeyId, r.requestIds);
  }
  const profile = inv.loginProfile;
  if (profile) {
    run.register({
      name: 'restore console login (an admin sets a new password)',
      run: async () => {
        const r = await run.act('restoreConsoleLogin', `Restore console login of ${userName}`, { userName, profile });
        run.board.audit('CreateLoginProfile (restore)', 'ok', 'password reset required', r.requestIds);
      },
    });
    const r = await run.step('DeleteLoginProfile', () =>
      run.act('blockConsoleLogin', `Block console login of ${userName}`, { userName }),
    );
    run.board.audit('DeleteLoginProfile (quarantine)', 'ok', undefined, r.requestIds);
  }
}
