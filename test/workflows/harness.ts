/**
 * What the workflow, durability and property tests share: an emulator with its own account id (so test files that run
 * in parallel never share a workflow id), a worker whose activities are built by the production factory from a
 * configuration pointing at that emulator, the start helpers, and small waits on the `status` query.
 */
import { randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import CsClient from '@alicloud/cs20151215';
import RamClient, * as $ram from '@alicloud/ram20150501';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { type Client, type WorkflowHandle } from '@temporalio/client';
import { type Worker } from '@temporalio/worker';
import { offboardWorkflowId, revokeKubeconfigWorkflowId } from '../../common/ids';
import { statusQuery } from '../../common/messages';
import { type OffboardingStage } from '../../common/stages';
import {
  type OffboardIdentityInput,
  type RevokeKubeconfigInput,
  type RunStatus,
  type TargetIdentity,
} from '../../common/types';
import { DEFAULT_FIXTURE_PATH, startEmulator, type JournalEntry } from '../../emulator';
import { activitiesFromConfig } from '../../activities/from-config';
import { loadWorkerConfig, type WorkerConfig } from '../../config/worker';
import { startOffboardIdentity, startRevokeKubeconfig } from '../../config/start';
import { createTestWorker, TEST_PAYLOAD_KEYS_PATH, testClient, uniqueTaskQueue } from '../support/temporal';
import { makeTestTrust, people, type TestTrust } from '../support/trust';
import { type Person } from '../../server/signer';

export type Emulator = Awaited<ReturnType<typeof startEmulator>>;

export interface Harness extends TestTrust {
  emulator: Emulator;
  accountId: string;
  client: Client;
  /** Absent when the test runs its workers as separate processes. */
  worker?: Worker;
  taskQueue: string;
  config: WorkerConfig;
  auditDir: string;
  /** The worker's environment (what a worker process would get). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** A copy of the demo fixture under a random account id, changed by `edit` (more clusters, other options). */
export function fixtureWithOwnAccount(edit?: (fixture: Record<string, unknown>) => void): {
  path: string;
  accountId: string;
} {
  const fixture = JSON.parse(readFileSync(DEFAULT_FIXTURE_PATH, 'utf8')) as { account: { id: string } };
  const accountId = `9${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e6)).padStart(6, '0')}`;
  fixture.account.id = accountId;
  edit?.(fixture as unknown as Record<string, unknown>);
  const dir = mkdtempSync(join(tmpdir(), 'offboard-fixture-'));
  const path = join(dir, 'fixture.json');
  writeFileSync(path, JSON.stringify(fixture));
  return { path, accountId };
}

interface FixtureUser {
  name: string;
  id: string;
  accessKeys: Array<{ id: string; secret: string; lastUsed?: string }>;
  [key: string]: unknown;
}

/**
 * A fixture edit: copies of bob under these names, each with its own id and key, unused for a month (so no
 * dependency finding stops them): leavers that go straight to approval. With `kubeconfigs`, each also gets bob's
 * kubeconfigs and grants (a leak to revoke).
 */
export function leaversLikeBob(
  names: readonly string[],
  options: { kubeconfigs?: boolean } = {},
): (fixture: Record<string, unknown>) => void {
  return (fixture) => {
    const users = fixture.users as FixtureUser[];
    const bob = users.find((u) => u.name === 'bob') as FixtureUser;
    const ofBob = (key: 'kubeconfigs' | 'grants') =>
      (fixture[key] as Array<{ identity: string }>).filter((e) => e.identity === 'user/bob');
    const [kubeconfigs, grants] = [ofBob('kubeconfigs'), ofBob('grants')];
    names.forEach((name, i) => {
      const n = String(i + 1).padStart(3, '0');
      users.push({
        ...bob,
        name,
        id: `2034880000000${n}`,
        lastLogin: '-30d',
        accessKeys: [
          { ...bob.accessKeys[0], lastUsed: '-30d', id: `LTAIleaver${n}000000000`, secret: `leaver${n}SecretNotReal` },
        ],
      });
      if (!options.kubeconfigs) return;
      for (const [key, ofHis] of [
        ['kubeconfigs', kubeconfigs],
        ['grants', grants],
      ] as const) {
        (fixture[key] as unknown[]).push(...ofHis.map((e) => ({ ...e, identity: `user/${name}` })));
      }
    });
  };
}

export function workerEnv(
  emulatorEndpoint: string,
  accountId: string,
  auditDir: string,
  taskQueue: string,
  trustedKeysPath: string,
): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default',
    TEMPORAL_TASK_QUEUE: taskQueue,
    OFFBOARD_ALIBABA_MODE: 'emulator',
    OFFBOARD_CS_ENDPOINT: emulatorEndpoint,
    OFFBOARD_RAM_ENDPOINT: emulatorEndpoint,
    OFFBOARD_ACCOUNT_ID: accountId,
    OFFBOARD_TRUSTED_KEYS: trustedKeysPath,
    OFFBOARD_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS_PATH,
    OFFBOARD_AUDIT_DIR: auditDir,
    // Reminders and approval windows of seconds, so that the tests wait seconds (refused in live mode).
    OFFBOARD_TIMING_BOUNDS: 'fast',
  };
}

export async function startHarness(
  prefix: string,
  options: {
    taskDelayMs?: number;
    inProcessWorker?: boolean;
    editFixture?: (f: Record<string, unknown>) => void;
    /** More worker settings (OFFBOARD_DELETION_FAILSAFE, say) over the test defaults. */
    env?: Record<string, string>;
  } = {},
): Promise<Harness> {
  const { path, accountId } = fixtureWithOwnAccount(options.editFixture);
  const emulator = await startEmulator({ port: 0, fixturePath: path, taskDelayMs: options.taskDelayMs ?? 300 });
  const taskQueue = uniqueTaskQueue(prefix);
  const auditDir = mkdtempSync(join(tmpdir(), 'offboard-audit-'));
  const trust = await makeTestTrust();
  const env = {
    ...workerEnv(emulator.endpoint, accountId, auditDir, taskQueue, trust.trustedKeysPath),
    ...options.env,
  };
  const config = loadWorkerConfig(env);
  const client = await testClient();
  const worker =
    options.inProcessWorker === false
      ? undefined
      : await createTestWorker({ taskQueue, activities: await activitiesFromConfig(config) });
  const running = worker?.run();
  return {
    ...trust,
    emulator,
    accountId,
    client,
    worker,
    taskQueue,
    config,
    auditDir,
    env,
    async stop() {
      worker?.shutdown();
      await running;
      await emulator.close();
    },
  };
}

/** What starting a run needs: a client, the task queue, the worker's configuration and the API's signer. */
export type Starter = Pick<Harness, 'client' | 'taskQueue' | 'config' | 'signer'>;

/** A workflow input before the API signs it. */
export type Unsigned<T> = Omit<T, 'authorization'>;

export function offboardInput(
  h: { accountId: string },
  name: string,
  extra: Partial<OffboardIdentityInput> = {},
): Unsigned<OffboardIdentityInput> {
  return {
    accountId: h.accountId,
    target: { type: 'user', name },
    requestedBy: people.hrJane.subject,
    requestedByName: people.hrJane.name,
    reason: 'departure',
    approvalReminderEvery: '1s',
    approvalExpiresAfter: '60s',
    blockedReminderEvery: '30s',
    ...extra,
  };
}

export function revokeInput(
  h: { accountId: string },
  name: string,
  extra: Partial<RevokeKubeconfigInput> = {},
): Unsigned<RevokeKubeconfigInput> {
  return {
    accountId: h.accountId,
    target: { type: 'user', name },
    requestedBy: people.sam.subject,
    requestedByName: people.sam.name,
    reason: 'compromise',
    ...extra,
  };
}

/** Starts an offboarding as the API would for `person` (default: the input's requester, hr-jane): signed. */
export async function startOffboard(
  h: Starter,
  input: Unsigned<OffboardIdentityInput>,
  person: Person = people.hrJane,
) {
  const request = { ...input, requestedBy: person.subject, requestedByName: person.name };
  const workflowId = offboardWorkflowId(request.accountId, request.target);
  const authorization = await h.signer.signRequest({ workflow: 'offboardIdentity', workflowId, request, person });
  return startOffboardIdentity(
    h.client,
    { ...request, authorization },
    { taskQueue: h.taskQueue, workerIdentity: h.config.alibaba.workerIdentity, timing: h.config.timing },
  );
}

/** Starts a kubeconfig revocation as the API would for `person` (default: sam, of security): signed. */
export async function startRevoke(h: Starter, input: Unsigned<RevokeKubeconfigInput>, person: Person = people.sam) {
  const request = { ...input, requestedBy: person.subject, requestedByName: person.name };
  const workflowId = revokeKubeconfigWorkflowId(request.accountId, request.target);
  const authorization = await h.signer.signRequest({ workflow: 'revokeKubeconfig', workflowId, request, person });
  return startRevokeKubeconfig(
    h.client,
    { ...request, authorization },
    { taskQueue: h.taskQueue, workerIdentity: h.config.alibaba.workerIdentity, timing: h.config.timing },
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the status query until `until` holds; fails with the last status when the time is up. */
export async function waitForStatus(
  handle: WorkflowHandle,
  until: (s: RunStatus) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<RunStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: RunStatus | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.query(statusQuery);
      if (until(last)) return last;
    } catch {
      // the first workflow task may not have run yet
    }
    await sleep(150);
  }
  throw new Error(
    `timed out waiting for ${what}; last status: ${JSON.stringify(last && { stage: last.stage, pending: last.pendingDecision, details: last.details, blocked: last.blocked })}`,
  );
}

export function waitForStage(
  handle: WorkflowHandle,
  stage: OffboardingStage,
  timeoutMs?: number,
  pending?: RunStatus['pendingDecision'],
) {
  return waitForStatus(
    handle,
    (s) => s.stage === stage && (pending === undefined || s.pendingDecision === pending),
    `stage ${stage}`,
    timeoutMs,
  );
}

export async function journal(emulator: Emulator): Promise<JournalEntry[]> {
  const res = await fetch(`${emulator.url}/__emulator/journal`);
  return (await res.json()) as JournalEntry[];
}

export async function emulatorState(emulator: Emulator): Promise<Record<string, unknown>> {
  const res = await fetch(`${emulator.url}/__emulator/state`);
  return (await res.json()) as Record<string, unknown>;
}

export async function setFaults(
  emulator: Emulator,
  config: { seed?: number; rules: Array<Record<string, unknown>> },
): Promise<void> {
  const res = await fetch(`${emulator.url}/__emulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(config),
  });
  if (!res.ok) throw new Error(`faults refused: ${res.status} ${await res.text()}`);
}

export async function clearFaults(emulator: Emulator): Promise<void> {
  await fetch(`${emulator.url}/__emulator/faults`, { method: 'DELETE' });
}

/** Successful calls of one action in the journal. */
export function successes(entries: JournalEntry[], action: string): JournalEntry[] {
  return entries.filter((e) => e.action === action && e.outcome === 'success');
}

/** Ends whatever a test left running under this id, so the next test can reuse it. */
export async function terminateIfRunning(client: Client, workflowId: string): Promise<void> {
  try {
    const handle = client.workflow.getHandle(workflowId);
    const d = await handle.describe();
    if (d.status.name === 'RUNNING') await handle.terminate('test cleanup');
  } catch {
    // not found: nothing to clean
  }
}

/**
 * Between tests: ends the runs (offboarding and revocation) that an earlier test may have left open for these
 * identities, and reloads the emulator's fixture, so that every test starts from the demo world.
 */
export async function resetWorld(h: Harness, users: string[], roles: string[] = []): Promise<void> {
  const targets: TargetIdentity[] = [
    ...users.map((name) => ({ type: 'user' as const, name })),
    ...roles.map((name) => ({ type: 'role' as const, name })),
  ];
  for (const target of targets) {
    await terminateIfRunning(h.client, offboardWorkflowId(h.accountId, target));
    await terminateIfRunning(h.client, revokeKubeconfigWorkflowId(h.accountId, target));
  }
  h.emulator.reset();
}

function rootConfig(emulator: Emulator): $OpenApiUtil.Config {
  const key = emulator.fixture.account.rootAccessKeys[0];
  return new $OpenApiUtil.Config({
    accessKeyId: key.id,
    accessKeySecret: key.secret,
    endpoint: emulator.endpoint,
    protocol: 'http',
    regionId: 'cn-hangzhou',
  });
}

/** The account's root key acting on RAM, as an administrator would in the console. */
export function rootRam(emulator: Emulator): RamClient {
  return new RamClient(rootConfig(emulator));
}

/** The account's root key acting on Container Service (grants, kubeconfigs), as an administrator would. */
export function rootCs(emulator: Emulator): CsClient {
  return new CsClient(rootConfig(emulator));
}

async function emulatorAdmin(emulator: Emulator, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${emulator.url}/__emulator/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`emulator ${path} refused: ${res.status} ${await res.text()}`);
}

/** Changes the emulated world's scenario switches (merged over the current ones; a reset restores the fixture's). */
export function setEmulatorOptions(emulator: Emulator, patch: Record<string, unknown>): Promise<void> {
  return emulatorAdmin(emulator, 'options', patch);
}

/** Flips a cluster's switches: `auditLog`, `certStatesUnknown`, `state`. */
export function setClusterSwitches(
  emulator: Emulator,
  clusterId: string,
  patch: Record<string, unknown>,
): Promise<void> {
  return emulatorAdmin(emulator, `clusters/${clusterId}`, patch);
}

const workerCsPolicy = { userName: 'offboarding-bot', policyName: 'AliyunCSFullAccess', policyType: 'System' };

/** Takes the worker's Container Service permission away (a mistaken policy change), or gives it back (the fix). */
export async function setWorkerClusterAccess(emulator: Emulator, allowed: boolean): Promise<void> {
  const ram = rootRam(emulator);
  if (allowed) await ram.attachPolicyToUser(new $ram.AttachPolicyToUserRequest(workerCsPolicy));
  else await ram.detachPolicyFromUser(new $ram.DetachPolicyFromUserRequest(workerCsPolicy));
}
