import { OffboardingStage } from '../../common/stages';
import { type UndoOffboardingInput } from '../../common/undo';
import { type StepResult } from '../../activities/types';
import { type Run } from '../run/run';
import { type Restorable } from './preflight';

/** What the restore did, for the outcome. */
export interface Restored {
  keysRestored: string[];
  keysGone: string[];
  groups: string[];
  policies: string[];
  grantClusters: string[];
  consoleLogin: boolean;
}

/**
 * The restore, after a second admin approved: the user out of RAM's recycle bin with its uid, the access keys the
 * offboarding deleted back (Inactive: RAM restores them so, and the undo leaves them so), the groups and policies of
 * the offboarding's inventory snapshot re-attached, its RBAC grants re-granted, and console login only if the snapshot
 * had one — with a password generated in the activity that nobody knows (never returned, logged or recorded),
 * reset-required. Each step is idempotent (a retry after a lost answer finds it done) and not interruptible.
 */
export async function restoreUser(run: Run, input: UndoOffboardingInput, from: Restorable): Promise<Restored> {
  const { uid } = from.record;
  const inventory = from.record.inventory!;
  const user = { accountId: input.accountId, uid, userName: input.target.name };
  const done = (action: string, r: StepResult, already = 'already so') =>
    run.board.audit(action, r.changed ? 'ok' : 'info', r.changed ? undefined : already, r.requestIds);
  const step = <T>(name: string, fn: () => Promise<T>) => run.step(name, fn, { interruptible: false });

  run.board.transition(OffboardingStage.Restoring, `Restoring ${run.targetRef} (uid ${uid}) from RAM's recycle bin`);
  done(
    'RestoreUserFromRecycleBin',
    await step('RestoreUserFromRecycleBin', () =>
      run.act('restoreUserFromRecycleBin', `Restore uid ${uid} from RAM's recycle bin`, user),
    ),
    'uid already live under its name (an earlier attempt restored it)',
  );

  const restored: Restored = {
    keysRestored: [],
    keysGone: [],
    groups: [],
    policies: [],
    grantClusters: [],
    consoleLogin: false,
  };
  for (const accessKeyId of from.record.deletedAccessKeyIds) {
    const r = await step('RestoreAccessKeyFromRecycleBin', () =>
      run.act('restoreAccessKeyFromRecycleBin', `Restore access key ${accessKeyId} (Inactive)`, {
        ...user,
        accessKeyId,
      }),
    );
    if (r.changed || r.earlierAttempt) restored.keysRestored.push(accessKeyId);
    else restored.keysGone.push(accessKeyId);
    run.board.audit(
      `RestoreAccessKeyFromRecycleBin ${accessKeyId}`,
      r.changed || r.earlierAttempt ? 'ok' : 'error',
      r.changed
        ? 'Inactive'
        : r.earlierAttempt
          ? 'already back on the user'
          : "no longer in RAM's recycle bin: not restored",
      r.requestIds,
    );
  }
  for (const groupName of inventory.groups) {
    done(
      `AddUserToGroup ${groupName}`,
      await step('AddUserToGroup', () =>
        run.act('addUserToGroup', `Add to group ${groupName}`, { ...user, groupName }),
      ),
    );
    restored.groups.push(groupName);
  }
  for (const policy of inventory.policies) {
    done(
      `AttachPolicyToUser ${policy.policyType}/${policy.policyName}`,
      await step('AttachPolicyToUser', () =>
        run.act('attachPolicyToUser', `Attach policy ${policy.policyName}`, { ...user, policy }),
      ),
    );
    restored.policies.push(`${policy.policyType}/${policy.policyName}`);
  }
  if (inventory.grants.length > 0) {
    done(
      'GrantPermissions',
      await step('GrantPermissions', () =>
        run.act('regrantPermissions', `Re-grant ${inventory.grants.length} RBAC grants`, {
          uid,
          grants: inventory.grants,
        }),
      ),
    );
    restored.grantClusters = [...new Set(inventory.grants.map((g) => g.resourceId))].sort();
  }
  if (inventory.loginProfile) {
    const profile = inventory.loginProfile;
    done(
      'CreateLoginProfile (reset required)',
      await step('CreateLoginProfile', () =>
        run.act('restoreConsoleLogin', 'Console login back, reset required', { userName: input.target.name, profile }),
      ),
      'a login profile exists already',
    );
    restored.consoleLogin = true;
  }
  return restored;
}

/** The restore as one sentence for the outcome. */
export function describeRestored(r: Restored): string {
  const parts = [
    r.keysRestored.length > 0 ? `access keys ${r.keysRestored.join(', ')} back, Inactive` : 'no access key to restore',
    ...(r.keysGone.length > 0 ? [`keys ${r.keysGone.join(', ')} no longer in the bin (not restored)`] : []),
    `groups: ${r.groups.join(', ') || 'none'}`,
    `policies: ${r.policies.join(', ') || 'none'}`,
    r.grantClusters.length > 0
      ? `RBAC grants re-granted on ${r.grantClusters.join(', ')}`
      : 'no RBAC grant to re-grant',
    r.consoleLogin
      ? 'console login back with a password nobody knows (reset required): an admin must set a new password in RAM and hand it over'
      : 'no console login (the snapshot had none)',
  ];
  return parts.join('; ');
}
