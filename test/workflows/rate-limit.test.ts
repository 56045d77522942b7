/**
 * The worker's rate limit against the emulator's own quota model: with RAM writes limited to 5 calls per second per
 * API on both sides, a dozen offboardings at once reach approval with no Throttling.User at all, and the emulator's
 * journal shows each write API's calls spread to at most 5 in any second. Time is read from the journal's
 * timestamps, never from the test's clock.
 */
import { type JournalEntry } from '../../emulator';
import { OffboardingStage } from '../../common/stages';
import { activitiesFromConfig } from '../../activities/from-config';
import { consoleNotifier } from '../../activities/notification';
import { quotaGroupOf, isAlibabaOperation } from '../../activities/rate-limit';
import { loadWorkerConfig } from '../../config/worker';
import { closeTestConnections, createTestWorker } from '../support/temporal';
import { type Harness, journal, offboardInput, startHarness, startOffboard, waitForStage } from './harness';

const USERS = 12;
const RAM_WRITES_PER_SECOND = 5;
const names = Array.from({ length: USERS }, (_, i) => `leaver-${String(i + 1).padStart(2, '0')}`);

interface FixtureUser {
  name: string;
  id: string;
  accessKeys: Array<{ id: string; secret: string }>;
  [key: string]: unknown;
}
interface FixtureRef {
  identity: string;
  [key: string]: unknown;
}

/** Twelve copies of alice (two keys each, her kubeconfigs and grants), and the quota model on: RAM writes 5/s. */
function leavers(fixture: Record<string, unknown>): void {
  const users = fixture.users as FixtureUser[];
  const alice = users.find((u) => u.name === 'alice') as FixtureUser;
  names.forEach((name, i) => {
    const n = String(i + 1).padStart(2, '0');
    users.push({
      ...alice,
      name,
      id: `20349900000000${n}`,
      accessKeys: ['1', '2'].map((k) => ({
        ...alice.accessKeys[0],
        id: `LTAIleaver${n}k${k}0000000000`,
        secret: `leaver${n}SecretNotReal0000000${k}`,
      })),
    });
    for (const list of ['kubeconfigs', 'grants'] as const) {
      const refs = fixture[list] as FixtureRef[];
      for (const ref of refs.filter((r) => r.identity === 'user/alice'))
        refs.push({ ...ref, identity: `user/${name}` });
    }
  });
  fixture.options = { ...(fixture.options as object), quotas: { 'ram-write': RAM_WRITES_PER_SECOND } };
}

/** Nothing to remind of while the test reads the journal. */
const quietly = { approvalReminderEvery: '1h', approvalExpiresAfter: '2h' };

let h: Harness;
let stopWorker: () => Promise<void>;

beforeAll(async () => {
  h = await startHarness('rate-limit', { inProcessWorker: false, editFixture: leavers });
  // The production factory, configured as a worker process would be: the same limit as the emulator's quota.
  const config = loadWorkerConfig({ ...h.env, OFFBOARD_ALIBABA_RATE_LIMITS: `ram-write=${RAM_WRITES_PER_SECOND}` });
  const worker = await createTestWorker({
    taskQueue: h.taskQueue,
    activities: await activitiesFromConfig(config, { notifier: consoleNotifier(() => undefined) }),
  });
  const running = worker.run();
  stopWorker = async () => {
    worker.shutdown();
    await running;
  };
});

afterAll(async () => {
  await stopWorker?.();
  await h?.stop();
  await closeTestConnections();
});

/** The most calls of one operation in any 1000 ms of the journal's timestamps. */
function busiestSecond(entries: JournalEntry[]): number {
  const times = entries.map((e) => Date.parse(e.time)).sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

test('a dozen offboardings at once stay within RAM write quotas: no Throttling.User, at most 5 calls per second per API', async () => {
  const handles = await Promise.all(
    names.map(async (name) => (await startOffboard(h, offboardInput(h, name, quietly))).handle),
  );
  for (const handle of handles) await waitForStage(handle, OffboardingStage.AwaitingApproval, 120_000, 'approval');

  const calls = await journal(h.emulator);
  expect(calls.filter((e) => e.errorCode?.includes('Throttling'))).toEqual([]);

  const writes = calls.filter((e) => isAlibabaOperation(e.action) && quotaGroupOf(e.action) === 'ram-write');
  const byAction = new Map<string, JournalEntry[]>();
  for (const e of writes) byAction.set(e.action, [...(byAction.get(e.action) ?? []), e]);
  // Each leaver's two keys are deactivated, and the deny policy attached: more calls than one second allows.
  expect(byAction.get('UpdateAccessKey')?.length).toBe(2 * USERS);
  expect(byAction.get('AttachPolicyToUser')?.length).toBe(USERS);
  for (const [action, entries] of byAction) {
    expect({ action, busiestSecond: busiestSecond(entries) <= RAM_WRITES_PER_SECOND }).toEqual({
      action,
      busiestSecond: true,
    });
  }
  // 24 deactivations at 5 per second take at least four seconds between the first and the last, by the journal.
  const updates = (byAction.get('UpdateAccessKey') ?? []).map((e) => Date.parse(e.time));
  const spanMs = Math.max(...updates) - Math.min(...updates);
  expect(spanMs).toBeGreaterThanOrEqual((Math.ceil((2 * USERS) / RAM_WRITES_PER_SECOND) - 1) * 1000);
});
