/**
 * The order invariant as a property, shared by the bounded jest run and `scripts/property-soak.ts`:
 * under any fault schedule the emulator can inject, no successful DeleteUser/DeleteRole of an identity appears in the
 * journal before (1) a successful clean of its uid, (2) the clean task reported success (all-clusters clean), and
 * (3) a verification read after them showing every kubeconfig Removed/Unissued and no RBAC grant.
 */
import { type Client } from '@temporalio/client';
import fc from 'fast-check';
import { offboardWorkflowId } from '../../common/ids';
import { statusQuery } from '../../common/messages';
import { isTerminalStage, OffboardingStage } from '../../common/stages';
import { type RunStatus } from '../../common/types';
import { type JournalEntry } from '../../emulator';
import { startOffboardIdentity } from '../../config/start';
import { type TokenSigner } from '../../server/signer';
import { decide, people } from '../support/trust';

export interface FaultRule {
  action: string;
  kind: 'throttle' | 'server-error' | 'latency' | 'drop';
  probability: number;
  count: number;
  latencyMs?: number;
  processed?: boolean;
}

export interface Schedule {
  seed: number;
  rules: FaultRule[];
}

/** Actions of the offboarding path (and `*`): faults land where they matter. */
const ACTIONS = [
  '*',
  'GetUser',
  'ListAccessKeys',
  'UpdateAccessKey',
  'DeleteLoginProfile',
  'CleanUserPermissions',
  'DescribeTaskInfo',
  'ListUserKubeConfigStates',
  'DescribeUserPermission',
  'DeleteAccessKey',
  'RemoveUserFromGroup',
  'DetachPolicyFromUser',
  'UnbindMFADevice',
  'DeleteUser',
];

export const scheduleArb: fc.Arbitrary<Schedule> = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  rules: fc.array(
    fc.record({
      action: fc.constantFrom(...ACTIONS),
      kind: fc.constantFrom('throttle' as const, 'server-error' as const, 'latency' as const, 'drop' as const),
      probability: fc.double({ min: 0.2, max: 1, noNaN: true }),
      count: fc.integer({ min: 1, max: 3 }),
      latencyMs: fc.integer({ min: 50, max: 1_200 }),
      processed: fc.boolean(),
    }),
    { minLength: 1, maxLength: 4 },
  ),
});

export interface Env {
  client: Client;
  /** The API's signer, for the run's request and its decisions. */
  signer: TokenSigner;
  taskQueue: string;
  accountId: string;
  emulatorUrl: string;
  workerIdentity: string;
  resetEmulator(): Promise<void>;
}

export interface Outcome {
  held: boolean;
  completed: boolean;
  stage: string;
  violations: string[];
  deletes: number;
}

async function admin(url: string, path: string, init?: RequestInit): Promise<unknown> {
  const res = await fetch(`${url}/__emulator/${path}`, init);
  if (!res.ok) throw new Error(`emulator ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function mentions(e: JournalEntry, uid: string): boolean {
  return JSON.stringify(e.params).includes(uid);
}

/** Violations of the order invariant for one identity in one journal (empty = it held). */
export function orderViolations(entries: JournalEntry[], userName: string, uid: string): string[] {
  const violations: string[] = [];
  const deletes = entries.filter(
    (e) =>
      (e.action === 'DeleteUser' || e.action === 'DeleteRole') &&
      e.outcome === 'success' &&
      JSON.stringify(e.params).includes(userName),
  );
  for (const del of deletes) {
    const before = entries.filter((e) => e.seq < del.seq && e.outcome === 'success');
    const clean = before.find(
      (e) => (e.action === 'CleanUserPermissions' || e.action === 'CleanClusterUserPermissions') && mentions(e, uid),
    );
    if (!clean) {
      violations.push(`DeleteUser #${del.seq} before any successful clean of ${uid}`);
      continue;
    }
    const taskId = (clean.response as { task_id?: string } | undefined)?.task_id;
    const task = taskId
      ? before.find(
          (e) =>
            e.action === 'DescribeTaskInfo' &&
            e.seq > clean.seq &&
            (e.response as { task_id?: string; state?: string })?.state === 'success',
        )
      : clean;
    if (!task) violations.push(`DeleteUser #${del.seq} before the clean task of ${uid} reported success`);
    const revokedRead = before.find((e) => {
      if (e.action !== 'ListUserKubeConfigStates' || e.seq < (task?.seq ?? clean.seq) || !mentions(e, uid))
        return false;
      const states = (e.response as { states?: Array<{ cert_state: string }> } | undefined)?.states ?? [];
      return states.every((s) => s.cert_state === 'Removed' || s.cert_state === 'Unissued');
    });
    if (!revokedRead) violations.push(`DeleteUser #${del.seq} without a verification read showing ${uid} revoked`);
    const noGrants = before.find(
      (e) =>
        e.action === 'DescribeUserPermission' &&
        e.seq > (task?.seq ?? clean.seq) &&
        mentions(e, uid) &&
        Array.isArray(e.response) &&
        e.response.length === 0,
    );
    if (!noGrants) violations.push(`DeleteUser #${del.seq} without a read showing no RBAC grant for ${uid}`);
  }
  return violations;
}

/**
 * One schedule: faults on, offboard alice; an on-call human clears the faults and retries if the run blocks, an admin
 * approves when asked. Bounded in time. Returns whether the invariant held and whether the run completed.
 */
export async function runSchedule(env: Env, schedule: Schedule, timeoutMs = 90_000): Promise<Outcome> {
  await env.resetEmulator();
  await admin(env.emulatorUrl, 'faults', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      seed: schedule.seed,
      rules: schedule.rules.map((r) => ({
        action: r.action,
        kind: r.kind,
        probability: r.probability,
        count: r.count,
        ...(r.kind === 'latency' ? { latencyMs: r.latencyMs } : {}),
        ...(r.kind === 'drop' ? { processed: r.processed } : {}),
      })),
    }),
  });
  const target = { type: 'user' as const, name: 'alice' };
  const workflowId = offboardWorkflowId(env.accountId, target);
  const request = {
    accountId: env.accountId,
    target,
    requestedBy: people.hrJane.subject,
    reason: 'departure' as const,
    approvalReminderEvery: '1h',
    approvalExpiresAfter: '1d',
  };
  const person = people.hrJane;
  const authorization = await env.signer.signRequest({ workflow: 'offboardIdentity', workflowId, request, person });
  const { handle } = await startOffboardIdentity(
    env.client,
    { ...request, authorization },
    { taskQueue: env.taskQueue, workerIdentity: env.workerIdentity },
  );
  const deadline = Date.now() + timeoutMs;
  let status: RunStatus | undefined;
  try {
    while (Date.now() < deadline) {
      const d = await handle.describe();
      if (d.status.name !== 'RUNNING') break;
      try {
        status = await handle.query(statusQuery);
      } catch {
        await sleep(200);
        continue;
      }
      if (status.stage === OffboardingStage.Blocked && status.pendingDecision === 'blocked') {
        await admin(env.emulatorUrl, 'faults', { method: 'DELETE' });
        await decide(env, handle, 'retry', { reason: 'faults cleared' }, people.dave).catch(() => undefined);
      } else if (status.stage === OffboardingStage.AwaitingApproval && status.pendingDecision === 'approval') {
        await decide(env, handle, 'approveDeletion', {}, people.carol).catch(() => undefined);
      }
      await sleep(200);
    }
  } finally {
    const d = await handle.describe();
    if (d.status.name === 'RUNNING')
      await env.client.workflow.getHandle(workflowId).terminate('property run time is up');
  }
  try {
    status = await handle.query(statusQuery);
  } catch {
    // a terminated run may have no worker answer; the last polled status stands
  }
  await admin(env.emulatorUrl, 'faults', { method: 'DELETE' });
  const entries = (await admin(env.emulatorUrl, 'journal')) as JournalEntry[];
  const uid = status?.uid ?? '2034000000000002';
  const violations = orderViolations(entries, 'alice', uid);
  const stage = status?.stage ?? 'unknown';
  return {
    held: violations.length === 0,
    completed: stage === OffboardingStage.Completed && isTerminalStage(stage),
    stage,
    violations,
    deletes: entries.filter((e) => e.action === 'DeleteUser' && e.outcome === 'success').length,
  };
}
