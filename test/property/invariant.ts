/**
 * The order invariant as a property, shared by the bounded jest run and `scripts/property-soak.ts`:
 * under any fault schedule the emulator can inject, no successful DeleteUser/DeleteRole of an identity by the worker
 * appears in the journal before (1) a successful clean of its uid, (2) the clean task reported success (all-clusters
 * clean), and (3) a verification read after them showing every kubeconfig Removed/Unissued and no RBAC grant — all of
 * them after the last time its access was re-issued. And the races of the world outside the run: the identity
 * deleted and re-created under the same name (a rehire) between verification and deletion, after which the worker
 * changes nothing of the new identity; its kubeconfig re-issued between approval and deletion, after which it is
 * revoked, verified and approved again before any deletion.
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
import { type OutsideWorld, rehireUser, reissueKubeconfig } from '../workflows/outside-changes';

export interface FaultRule {
  action: string;
  kind: 'throttle' | 'server-error' | 'latency' | 'drop';
  probability: number;
  count: number;
  latencyMs?: number;
  processed?: boolean;
}

/** What the world outside the run does to alice while the run waits between verification and deletion. */
export type Race = 'none' | 'rehire' | 'reissue';

export interface Schedule {
  seed: number;
  rules: FaultRule[];
  race: Race;
  /**
   * The race happens after approval, while the run waits for `deleteNotBefore`; when approval comes too late for that
   * (faults slowed the run), right before approval. Otherwise while the run awaits approval.
   */
  raceAfterApproval: boolean;
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
  race: fc.constantFrom<Race>('none', 'none', 'rehire', 'reissue'),
  raceAfterApproval: fc.boolean(),
});

export interface Env {
  client: Client;
  /** The API's signer, for the run's request and its decisions. */
  signer: TokenSigner;
  taskQueue: string;
  accountId: string;
  emulatorUrl: string;
  workerIdentity: string;
  /** The emulator as an admin with the root key sees it, for the races. */
  outside: OutsideWorld;
  /** The fixture's alice: her uid and her own access key. */
  alice: { name: string; uid: string; key: { id: string; secret: string } };
  resetEmulator(): Promise<void>;
}

export interface Outcome {
  held: boolean;
  /** The run reached the end its schedule calls for: Completed with one deletion, or Aborted after a rehire. */
  completed: boolean;
  stage: string;
  violations: string[];
  /** Successful DeleteUser calls by the worker. */
  deletes: number;
}

/** How long after the start deletion may begin when the race comes after approval. */
const RACE_WINDOW_MS = 10_000;
/** Less time than this left before `deleteNotBefore` at approval: the race happens before approving instead. */
const RACE_MARGIN_MS = 4_000;

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
      e.caller?.identity !== 'root' &&
      JSON.stringify(e.params).includes(userName),
  );
  for (const del of deletes) {
    const before = entries.filter((e) => e.seq < del.seq && e.outcome === 'success');
    // Access given back outside the run (a grant by the account, a kubeconfig fetched by the user) resets the chain.
    const reissues = before.filter(
      (e) =>
        (e.action === 'GrantPermissions' && e.caller?.identity === 'root' && mentions(e, uid)) ||
        (e.action === 'DescribeClusterUserKubeconfig' && e.caller?.uid === uid),
    );
    const since = reissues.length > 0 ? reissues[reissues.length - 1].seq : 0;
    const after = since > 0 ? ` after its access was re-issued (#${since})` : '';
    const cleans = before.filter(
      (e) =>
        e.seq > since &&
        (e.action === 'CleanUserPermissions' || e.action === 'CleanClusterUserPermissions') &&
        mentions(e, uid),
    );
    if (cleans.length === 0) {
      violations.push(`DeleteUser #${del.seq} before any successful clean of ${uid}${after}`);
      continue;
    }
    const succeeded = (c: JournalEntry): JournalEntry | undefined => {
      const taskId = (c.response as { task_id?: string } | undefined)?.task_id;
      if (!taskId) return c;
      return before.find((e) => {
        const r = e.response as { task_id?: string; state?: string } | undefined;
        return e.action === 'DescribeTaskInfo' && e.seq > c.seq && r?.task_id === taskId && r.state === 'success';
      });
    };
    const done = cleans.filter((c) => succeeded(c) !== undefined);
    const clean = done.length > 0 ? done[done.length - 1] : cleans[cleans.length - 1];
    const task = succeeded(clean);
    if (!task) violations.push(`DeleteUser #${del.seq} before the clean task of ${uid} reported success${after}`);
    const from = task?.seq ?? clean.seq;
    const revokedRead = before.find((e) => {
      if (e.action !== 'ListUserKubeConfigStates' || e.seq < from || !mentions(e, uid)) return false;
      const states = (e.response as { states?: Array<{ cert_state: string }> } | undefined)?.states ?? [];
      return states.every((s) => s.cert_state === 'Removed' || s.cert_state === 'Unissued');
    });
    if (!revokedRead)
      violations.push(`DeleteUser #${del.seq} without a verification read showing ${uid} revoked${after}`);
    const noGrants = before.find(
      (e) =>
        e.action === 'DescribeUserPermission' &&
        e.seq > from &&
        mentions(e, uid) &&
        Array.isArray(e.response) &&
        e.response.length === 0,
    );
    if (!noGrants) violations.push(`DeleteUser #${del.seq} without a read showing no RBAC grant for ${uid}${after}`);
  }
  return violations;
}

/** Violations of the rehire rule: once the name names a new identity, the worker removes nothing from it. */
export function rehireViolations(entries: JournalEntry[], userName: string, workerIdentity: string): string[] {
  const created = entries.find(
    (e) => e.action === 'CreateUser' && e.outcome === 'success' && JSON.stringify(e.params).includes(`"${userName}"`),
  );
  if (!created) return [];
  return entries
    .filter(
      (e) =>
        e.seq > created.seq &&
        e.outcome === 'success' &&
        e.caller?.identity === workerIdentity &&
        /^(Delete|Remove|Detach|Unbind)/.test(e.action) &&
        JSON.stringify(e.params).includes(`"${userName}"`),
    )
    .map((e) => `${e.action} #${e.seq} acted on the re-created ${userName}`);
}

/**
 * One schedule: faults on, offboard alice; an on-call human clears the faults and retries if the run blocks (and
 * aborts it once it blocks on a rehire), an admin approves when asked, and the world outside does the schedule's race
 * while the run waits. Bounded in time. Returns whether the invariant held and whether the run ended as it should.
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
  const raceLater = schedule.race !== 'none' && schedule.raceAfterApproval;
  const deleteNotBefore = raceLater ? new Date(Date.now() + RACE_WINDOW_MS).toISOString() : undefined;
  const request = {
    accountId: env.accountId,
    target,
    requestedBy: people.hrJane.subject,
    reason: 'departure' as const,
    approvalReminderEvery: '1h',
    approvalExpiresAfter: '1d',
    ...(deleteNotBefore && { deleteNotBefore }),
  };
  const person = people.hrJane;
  const authorization = await env.signer.signRequest({ workflow: 'offboardIdentity', workflowId, request, person });
  const { handle } = await startOffboardIdentity(
    env.client,
    { ...request, authorization },
    { taskQueue: env.taskQueue, workerIdentity: env.workerIdentity },
  );
  let raced = schedule.race === 'none';
  const race = async () => {
    raced = true;
    if (schedule.race === 'rehire') await rehireUser(env.outside, env.alice.name);
    else await reissueKubeconfig(env.outside, env.alice, 'c-prod-1');
  };
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
        if (status.blocked?.failureType === 'IdentityChanged') {
          await decide(env, handle, 'abort', { reason: 'alice was rehired' }, people.dave).catch(() => undefined);
        } else {
          await admin(env.emulatorUrl, 'faults', { method: 'DELETE' });
          await decide(env, handle, 'retry', { reason: 'faults cleared' }, people.dave).catch(() => undefined);
        }
      } else if (status.stage === OffboardingStage.AwaitingApproval && status.pendingDecision === 'approval') {
        const late = !deleteNotBefore || Date.parse(deleteNotBefore) - Date.now() < RACE_MARGIN_MS;
        if (!raced && late) await race();
        await decide(env, handle, 'approveDeletion', {}, people.carol).catch(() => undefined);
      } else if (status.stage === OffboardingStage.ScheduledDeletion && !raced) {
        await race();
      } else if (status.pendingDecision === 'dependencies') {
        await decide(env, handle, 'resolveDependencies', { decision: 'proceed', reason: 'faults' }, people.carol).catch(
          () => undefined,
        );
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
  const uid = env.alice.uid;
  const violations = [
    ...orderViolations(entries, 'alice', uid),
    ...rehireViolations(entries, 'alice', env.workerIdentity),
  ];
  const stage = status?.stage ?? 'unknown';
  const deletes = entries.filter(
    (e) => e.action === 'DeleteUser' && e.outcome === 'success' && e.caller?.identity === env.workerIdentity,
  ).length;
  const completed =
    raced &&
    (schedule.race === 'rehire'
      ? stage === OffboardingStage.Aborted &&
        deletes === 0 &&
        (status?.audit ?? []).some((e) => e.action.endsWith('blocked') && /IdentityChanged/.test(e.detail ?? ''))
      : stage === OffboardingStage.Completed && isTerminalStage(stage) && deletes === 1);
  return { held: violations.length === 0, completed, stage, violations, deletes };
}
