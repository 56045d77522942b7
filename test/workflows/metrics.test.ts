/**
 * The worker's metrics, from a real worker process configured by environment: after a kubeconfig revocation whose
 * first kubeconfig read is throttled, /metrics counts the real Alibaba calls by operation, the throttle by its code,
 * the time to verified revocation and the rate-limiter waits; the stage gauges report a waiting offboarding; the
 * Temporal SDK's own exporter answers on its port. The throttled call's retry waits Alibaba's x-acs-retry-after, by
 * the emulator's journal.
 */
import { OffboardingStage } from '../../common/stages';
import { statusQuery } from '../../common/messages';
import { closeTestConnections } from '../support/temporal';
import {
  type Harness,
  journal,
  offboardInput,
  revokeInput,
  setFaults,
  startHarness,
  startOffboard,
  startRevoke,
  waitForStatus,
} from './harness';
import { freePort } from '../../scripts/local-temporal';
import { killAllWorkers, startWorkerProcess } from './worker-process';

const RETRY_AFTER_MS = 3000;

let h: Harness;
let metricsUrl: string;
let sdkMetricsUrl: string;

beforeAll(async () => {
  h = await startHarness('metrics', { inProcessWorker: false });
  const [port, sdkPort] = [await freePort(), await freePort()];
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  sdkMetricsUrl = `http://127.0.0.1:${sdkPort}/metrics`;
  await startWorkerProcess({
    ...h.env,
    OFFBOARD_METRICS_PORT: String(port),
    OFFBOARD_SDK_METRICS_PORT: String(sdkPort),
    OFFBOARD_METRICS_STAGE_INTERVAL: '1s',
    // Temporal's task-queue limit, generous here: the worker starts with it and runs under it.
    OFFBOARD_TASK_QUEUE_ACTIVITIES_PER_SECOND: '200',
  });
});

afterAll(async () => {
  killAllWorkers();
  await h?.stop();
  await closeTestConnections();
});

/** The value of one sample of the exposition text (labels in any order), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const got = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(match[3]);
  }
  return undefined;
}

async function scrape(url = metricsUrl): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return res.text();
}

/** Scrapes until `until` holds (the stage gauges are read every second); fails with the last scrape. */
async function scrapeUntil(until: (text: string) => boolean, what: string): Promise<string> {
  let text = '';
  for (let i = 0; i < 100; i++) {
    text = await scrape();
    if (until(text)) return text;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`metrics never showed ${what}:\n${text}`);
}

test("a revocation's real calls, its throttle by code, its time to verification and the limiter's waits are counted", async () => {
  await setFaults(h.emulator, {
    rules: [{ action: 'ListUserKubeConfigStates', kind: 'throttle', count: 1, retryAfterMs: RETRY_AFTER_MS }],
  });
  const { handle } = await startRevoke(h, revokeInput(h, 'alice'));
  expect((await handle.result()).stage).toBe(OffboardingStage.Revoked);

  const calls = (await journal(h.emulator)).filter((e) => e.action === 'ListUserKubeConfigStates');
  const text = await scrapeUntil(
    (t) => (sample(t, 'offboard_revocation_verified_seconds_count', { workflow: 'revokeKubeconfig' }) ?? 0) >= 1,
    'a verified revocation',
  );
  expect(sample(text, 'offboard_alibaba_api_calls_total', { operation: 'ListUserKubeConfigStates' })).toBe(
    calls.length,
  );
  expect(sample(text, 'offboard_alibaba_api_calls_total', { operation: 'CleanUserPermissions' })).toBeGreaterThan(0);
  expect(
    sample(text, 'offboard_alibaba_api_errors_total', {
      operation: 'ListUserKubeConfigStates',
      code: 'Throttling.User',
    }),
  ).toBe(1);
  expect(sample(text, 'offboard_rate_limit_wait_seconds_count', { operation: 'ListUserKubeConfigStates' })).toBe(
    calls.length,
  );
  // The throttled call was retried no sooner than Alibaba asked (Temporal's own first retry would be 500 ms).
  const throttled = calls.findIndex((e) => e.errorCode === 'Throttling.User');
  expect(throttled).toBeGreaterThanOrEqual(0);
  const retryGapMs = Date.parse(calls[throttled + 1].time) - Date.parse(calls[throttled].time);
  expect(retryGapMs).toBeGreaterThanOrEqual(RETRY_AFTER_MS - 100);
});

test('the stage gauges report waiting offboardings and the approval age; the SDK exporter serves its metrics', async () => {
  // Alice (revoked above) reaches approval; bob stops earlier, on a decision of his own.
  const alice = (await startOffboard(h, offboardInput(h, 'alice', { approvalReminderEvery: '1h' }))).handle;
  await waitForStatus(alice, (s) => s.stage === OffboardingStage.AwaitingApproval, 'approval');
  const { handle } = await startOffboard(h, offboardInput(h, 'bob'));
  const waiting = await waitForStatus(handle, (s) => s.pendingDecision !== null, 'a decision to wait for');
  expect(await handle.query(statusQuery)).toMatchObject({ stage: waiting.stage });
  const text = await scrapeUntil(
    (t) => sample(t, 'offboard_runs', { stage: waiting.stage }) === 1,
    `one run in ${waiting.stage}`,
  );
  expect(sample(text, 'offboard_blocked_runs')).toBe(waiting.stage === OffboardingStage.Blocked ? 1 : 0);
  const approval = await scrapeUntil(
    (t) => (sample(t, 'offboard_runs', { stage: OffboardingStage.AwaitingApproval }) ?? 0) >= 1,
    'a run awaiting approval',
  );
  // Found by counting on StartTime (no list of the waiting runs), to the minute: alice has waited seconds.
  expect(sample(approval, 'offboard_oldest_approval_age_seconds')).toBeLessThan(120);
  expect(sample(approval, 'offboard_stage_collection_errors_total')).toBe(0);
  expect(sample(text, 'offboard_process_resident_memory_bytes')).toBeGreaterThan(0);

  const sdk = await scrape(sdkMetricsUrl);
  expect(sdk).toMatch(/^temporal_\w+/m);
});

test('a Blocked run shows in the Blocked count and age', async () => {
  await setFaults(h.emulator, { rules: [{ action: 'CleanUserPermissions', kind: 'task-fail', count: 1 }] });
  const { handle } = await startRevoke(h, revokeInput(h, 'dave'));
  const blocked = await waitForStatus(handle, (s) => s.stage === OffboardingStage.Blocked, 'Blocked');
  expect(blocked.pendingSince).toBeDefined();
  const text = await scrapeUntil((t) => sample(t, 'offboard_blocked_runs') === 1, 'one Blocked run');
  // Since its status' pendingSince: seconds ago.
  expect(sample(text, 'offboard_oldest_blocked_age_seconds')).toBeLessThan(60);
  expect(sample(text, 'offboard_stage_collection_errors_total')).toBe(0);
});
