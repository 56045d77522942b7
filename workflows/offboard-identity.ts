import { ApplicationFailure, CancellationScope } from '@temporalio/workflow';
import { formatInputProblems, FailureType } from '../common/errors';
import { checkOffboardInput } from '../common/inputs';
import { OffboardingStage } from '../common/stages';
import { type Inventory, type LeftoverKubeconfig, type OffboardIdentityInput, type RunResult } from '../common/types';
import { parseDurationMs } from '../common/validation';
import { revoke, decideDependencies, verifyRevocation, type VerifiedRevocation } from './revocation';
import { Run, RunEnded } from './run';

const DEFAULT_REMINDER_MS = 24 * 3_600_000;
const DEFAULT_EXPIRY_MS = 7 * 24 * 3_600_000;

/**
 * Takes one RAM user or role off Alibaba Cloud, in the order that matters: inventory → dependency check →
 * quarantine → revocation → verification → approval → deletion. Deletion takes a VerifiedRevocation, which only
 * verifyRevocation produces (see workflows/revocation.ts).
 */
export async function offboardIdentity(input: OffboardIdentityInput): Promise<RunResult> {
  const run = new Run('offboardIdentity', input);
  run.registerHandlers();
  return run.main(async () => {
    await loadPolicy(run, input);

    // 1. Inventory
    run.transition(
      OffboardingStage.Inventory,
      `Reading what ${run.targetRef} holds: keys, console login, groups, policies, kubeconfigs, RBAC grants`,
    );
    const found = await run.step('inventory', () =>
      run.act('inventoryIdentity', `Inventory of ${run.targetRef}`, {
        accountId: input.accountId,
        target: input.target,
      }),
    );
    if (!found.exists) {
      run.audit('inventory', 'info', `${run.targetRef} does not exist in RAM`, found.requestIds);
      return endAlreadyGone(run, input, found.leftoverKubeconfigs);
    }
    const inventory = found.inventory;
    run.setUid(inventory.uid);
    recordInventory(run, inventory);

    // 2. DependencyCheck
    run.transition(OffboardingStage.DependencyCheck, `Looking for anything that still relies on ${run.targetRef}`);
    const findings = await run.step('checkDependencies', () =>
      run.act('checkDependencies', `Dependency probes for ${run.targetRef}`, { inventory }),
    );
    run.status.findings.push(...findings);
    const blocking = findings.filter((f) => f.blocking);
    run.audit(
      'dependency check',
      'ok',
      findings.length === 0 ? 'no findings' : findings.map((f) => f.summary).join('; '),
    );
    if (blocking.length > 0) {
      const decision = await decideDependencies(
        run,
        `${blocking.length} dependency finding(s): ${blocking.map((f) => f.summary).join('; ')}`,
      );
      if (decision === 'abort') {
        // Nothing has been changed yet: no compensation needed.
        throw new RunEnded(
          OffboardingStage.Aborted,
          'aborted by an admin after the dependency check; nothing was changed',
        );
      }
    }

    // 3. Quarantine: reversible cuts, each registering its undo.
    await quarantine(run, inventory);

    // 4. Revocation (first without Force) and 5. Verification on every cluster.
    const clean = await revoke(run, {
      uid: inventory.uid,
      target: input.target,
      clusterIds: input.clusterIds,
      force: false,
      grantsToRestore: inventory.grants,
    });
    // Verification always covers every cluster: deletion must not leave a kubeconfig valid anywhere.
    const proof = await verifyRevocation(run, { uid: inventory.uid, target: input.target, taskId: clean.taskId });

    // 6. AwaitingApproval (and the optional scheduled deletion)
    await awaitApproval(run, input);
    await awaitDeletionTime(run, input);

    // 7. Deletion: the point of no return — runs to the end even if the run is cancelled.
    return CancellationScope.nonCancellable(async () => {
      await deleteIdentity(run, proof);
      run.status.pendingDecision = null;
      return run.finish(
        OffboardingStage.Completed,
        `${run.targetRef} (uid ${inventory.uid}) deleted after verified revocation`,
      );
    });
  });
}

async function loadPolicy(run: Run, input: OffboardIdentityInput): Promise<void> {
  // Checked before anything else, then again with the worker's identity once the policy is loaded.
  const early = checkOffboardInput(input);
  if (early.length > 0)
    throw ApplicationFailure.nonRetryable(`invalid input: ${formatInputProblems(early)}`, FailureType.InvalidInput);
  const policy = await run.act('loadRunPolicy', 'Load admins and the worker identity from configuration');
  run.status.admins = policy.admins;
  const problems = checkOffboardInput(input, { workerIdentity: policy.workerIdentity });
  if (input.accountId !== policy.accountId) {
    problems.push({ field: 'accountId', rule: `must be the account this worker serves (${policy.accountId})` });
  }
  if (problems.length > 0)
    throw ApplicationFailure.nonRetryable(`invalid input: ${formatInputProblems(problems)}`, FailureType.InvalidInput);
  run.audit(
    'start',
    'info',
    `requested by ${input.requestedBy} (${input.reason})${input.comment ? `: ${input.comment}` : ''}`,
    undefined,
    input.requestedBy,
  );
}

function recordInventory(run: Run, inv: Inventory): void {
  run.status.inventory = {
    accessKeys: inv.accessKeys.length,
    activeAccessKeys: inv.accessKeys.filter((k) => k.status === 'Active').length,
    consoleLogin: inv.loginProfile !== undefined,
    mfa: inv.mfaSerialNumber !== undefined,
    groups: inv.groups.length,
    policies: inv.policies.length,
    kubeconfigs: inv.kubeconfigs,
    grants: inv.grants.length,
  };
  run.audit(
    'inventory',
    'ok',
    `uid ${inv.uid}: ${inv.accessKeys.length} key(s), login=${inv.loginProfile !== undefined}, mfa=${inv.mfaSerialNumber !== undefined}, ${inv.groups.length} group(s), ${inv.policies.length} policy(ies), kubeconfigs ${inv.kubeconfigs.map((k) => `${k.clusterId}=${k.certState}`).join(', ') || 'none'}, ${inv.grants.length} grant(s)`,
    inv.requestIds,
  );
}

async function quarantine(run: Run, inv: Inventory): Promise<void> {
  run.transition(
    OffboardingStage.Quarantine,
    `Cutting ${run.targetRef}'s access in ways that can be undone: access keys off, console login blocked`,
  );
  if (inv.target.type !== 'user') return;
  const userName = inv.target.name;
  for (const key of inv.accessKeys.filter((k) => k.status === 'Active')) {
    run.register({
      name: `re-activate access key ${key.accessKeyId}`,
      run: async () => {
        const r = await run.act('activateAccessKey', `Re-activate key ${key.accessKeyId}`, {
          userName,
          accessKeyId: key.accessKeyId,
        });
        run.audit('UpdateAccessKey Active (restore)', 'ok', key.accessKeyId, r.requestIds);
      },
    });
    const r = await run.step('UpdateAccessKey', () =>
      run.act('deactivateAccessKey', `Deactivate access key ${key.accessKeyId}`, {
        userName,
        accessKeyId: key.accessKeyId,
      }),
    );
    run.audit('UpdateAccessKey Inactive', 'ok', key.accessKeyId, r.requestIds);
  }
  const profile = inv.loginProfile;
  if (profile) {
    run.register({
      name: 'restore console login (an admin sets a new password)',
      run: async () => {
        const r = await run.act('restoreConsoleLogin', `Restore console login of ${userName}`, { userName, profile });
        run.audit('CreateLoginProfile (restore)', 'ok', 'password reset required', r.requestIds);
      },
    });
    const r = await run.step('DeleteLoginProfile', () =>
      run.act('blockConsoleLogin', `Block console login of ${userName}`, { userName }),
    );
    run.audit('DeleteLoginProfile (quarantine)', 'ok', undefined, r.requestIds);
  }
}

/** The identity is gone from RAM; kubeconfigs still issued to it are revoked and verified before the run ends. */
async function endAlreadyGone(
  run: Run,
  input: OffboardIdentityInput,
  leftovers: LeftoverKubeconfig[],
): Promise<RunResult> {
  const uids = [...new Set(leftovers.map((k) => k.uid).filter(Boolean))];
  if (uids.length === 0) {
    throw new RunEnded(
      OffboardingStage.AlreadyGone,
      `${run.targetRef} no longer exists and no kubeconfig is left for it`,
    );
  }
  run.status.findings.push(
    ...leftovers.map((k) => ({
      probe: 'leftover-kubeconfig',
      blocking: false,
      summary: `kubeconfig still valid on ${k.clusterId} for deleted ${run.targetRef} (uid ${k.uid})`,
      evidence: { clusterId: k.clusterId, uid: k.uid },
    })),
  );
  for (const uid of uids) {
    run.setUid(uid);
    // Nobody can use this identity any more, so the 7-day check protects nothing: Force.
    const clean = await revoke(run, { uid, target: input.target, force: true });
    await verifyRevocation(run, { uid, target: input.target, taskId: clean.taskId });
  }
  throw new RunEnded(
    OffboardingStage.AlreadyGone,
    `${run.targetRef} no longer exists; revoked ${leftovers.length} leftover kubeconfig(s)`,
  );
}

async function awaitApproval(run: Run, input: OffboardIdentityInput): Promise<void> {
  const reminderMs =
    (input.approvalReminderEvery !== undefined ? parseDurationMs(input.approvalReminderEvery) : undefined) ??
    DEFAULT_REMINDER_MS;
  const expiryMs =
    (input.approvalExpiresAfter !== undefined ? parseDurationMs(input.approvalExpiresAfter) : undefined) ??
    DEFAULT_EXPIRY_MS;
  const deadline = Date.now() + expiryMs;
  run.status.approvalDeadline = new Date(deadline).toISOString();
  run.approval = undefined;
  const details = `Revocation verified; access cut. Waiting for an admin other than ${input.requestedBy} to approve deletion until ${run.status.approvalDeadline} — \`offboard approve|reject ${run.workflowId} --as ADMIN …\``;
  run.transition(OffboardingStage.AwaitingApproval, details, 'approval');
  await run.notify('approval-requested', `${run.targetRef}: approve deletion?`, details);
  const decided = await run.waitFor(() => run.approval !== undefined, 'approval', {
    deadlineMs: deadline,
    reminderMs,
    remind: () => run.notify('approval-reminder', `${run.targetRef}: deletion still awaits approval`, details),
  });
  const approval = run.currentApproval();
  if (!decided || !approval) {
    throw new RunEnded(
      OffboardingStage.ApprovalExpired,
      `no decision by ${run.status.approvalDeadline}; access stays cut (time never restores access)`,
    );
  }
  if (!approval.approved) {
    if (approval.restoreAccess) {
      await run.compensate(`deletion rejected by ${approval.actor}: ${approval.reason}`);
      throw new RunEnded(
        OffboardingStage.Rejected,
        `deletion rejected by ${approval.actor}: ${approval.reason}; access restored`,
      );
    }
    throw new RunEnded(
      OffboardingStage.Rejected,
      `deletion rejected by ${approval.actor}: ${approval.reason}; access stays cut`,
    );
  }
  run.audit('deletion approved', 'ok', undefined, undefined, approval.actor);
}

async function awaitDeletionTime(run: Run, input: OffboardIdentityInput): Promise<void> {
  await run.checkRescind();
  if (!input.deleteNotBefore) return;
  const at = Date.parse(input.deleteNotBefore);
  if (at <= Date.now()) return;
  run.status.deleteNotBefore = input.deleteNotBefore;
  run.transition(
    OffboardingStage.ScheduledDeletion,
    `Approved; deletion scheduled for ${input.deleteNotBefore} (HR may still rescind)`,
    'scheduled-deletion',
  );
  await run.waitFor(() => false, 'the scheduled deletion time', { deadlineMs: at, reminderMs: at - Date.now() + 1 });
  await run.checkRescind();
}

async function deleteIdentity(run: Run, proof: VerifiedRevocation): Promise<void> {
  const target = proof.target;
  run.markDeletionStarted();
  run.transition(
    OffboardingStage.Deletion,
    `Deleting ${run.targetRef}: prerequisites first, then Delete${target.type === 'user' ? 'User' : 'Role'}`,
  );
  const plan = await run.step('planDeletion', () =>
    run.act('planDeletion', `Plan deletion of ${run.targetRef}`, { proof, target }),
  );
  const done = (what: string, requestIds: string[]) => {
    run.status.deletedSteps.push(what);
    run.audit(what, 'ok', undefined, requestIds);
  };
  for (const accessKeyId of plan.accessKeyIds) {
    const r = await run.step(
      'DeleteAccessKey',
      () => run.act('deleteAccessKey', `Delete access key ${accessKeyId}`, { proof, target, accessKeyId }),
      { interruptible: false },
    );
    done(`DeleteAccessKey ${accessKeyId}`, r.requestIds);
  }
  for (const groupName of plan.groups) {
    const r = await run.step(
      'RemoveUserFromGroup',
      () => run.act('removeUserFromGroup', `Remove from group ${groupName}`, { proof, target, groupName }),
      { interruptible: false },
    );
    done(`RemoveUserFromGroup ${groupName}`, r.requestIds);
  }
  for (const policy of plan.policies) {
    const r = await run.step(
      'DetachPolicy',
      () => run.act('detachPolicy', `Detach policy ${policy.policyName}`, { proof, target, policy }),
      { interruptible: false },
    );
    done(`DetachPolicy ${policy.policyType}/${policy.policyName}`, r.requestIds);
  }
  if (plan.loginProfile) {
    const r = await run.step(
      'DeleteLoginProfile',
      () => run.act('deleteLoginProfile', 'Delete login profile', { proof, target }),
      { interruptible: false },
    );
    done('DeleteLoginProfile', r.requestIds);
  }
  if (plan.mfa) {
    const r = await run.step(
      'UnbindMFADevice',
      () => run.act('unbindMfaDevice', 'Unbind MFA device', { proof, target }),
      { interruptible: false },
    );
    done('UnbindMFADevice', r.requestIds);
  }
  const op = target.type === 'user' ? 'DeleteUser' : 'DeleteRole';
  const r = await run.step(
    op,
    () =>
      run.act('deleteIdentity', `${op} ${target.name} (revocation verified ${proof.verifiedAt})`, { proof, target }),
    { interruptible: false },
  );
  done(op, r.requestIds);
}
