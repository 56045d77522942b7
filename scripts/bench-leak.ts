/**
 * `npm run bench:leak`: the leak response as security meets it. Sam (security), signed in to the offboarding API with
 * the embedded identity provider's device flow, sends `POST /v1/revocations` for a user like bob (all clusters, Force
 * by default) over HTTP; each run times, from the moment the request is sent:
 *   request → CleanUserPermissions   the emulator received the clean (its journal's receivedAt)   target p99 ≤ 100 ms
 *   request → Revoked (verified)     the run's result reached the workflow client               target p50 ≤ 600 ms
 * and where the time went in between, from the emulator's journal and the run's history. The stack runs as production
 * runs it, each part a process of its own (scripts/bench/process-stack.ts): the Temporal dev server (or
 * TEMPORAL_ADDRESS when set), the emulator (its clean task takes 300 ms, as Alibaba's might), one worker on the
 * compiled JavaScript with a prebuilt workflow bundle, and the API (server/main.ts) compiled too; `--tsx` runs the
 * worker and the API under tsx, as `npm start` does. The runs go one after another, the emulator reset before each (a
 * leak response is about latency, not throughput), after one untimed run that warms the worker and the API.
 *   npm run bench:leak -- [--runs 50] [--tsx]
 *
 * The end of a run is read with the client's long poll on its result rather than by polling its status: the result
 * comes the moment the server records the run's end, with no polling grain and no queries that would load the worker
 * while it works. The API's status of the run is then read once, and must say Revoked with the clusters verified.
 */
import { cpus, loadavg } from 'node:os';
import { tsToMs } from '@temporalio/common/lib/time';
import { type temporal } from '@temporalio/proto';
import { Command, InvalidArgumentError } from 'commander';
import { type JournalEntry } from '../emulator';
import { startApiServerFor, type ApiServer } from '../test/server/api-server';
import { fixtureWithOwnAccount, leaversLikeBob } from '../test/workflows/harness';
import { percentile } from './bench/percentile';
import { type ProcessStack, startProcessStack } from './bench/process-stack';
import { readJournal } from './bench/quota';

const MAX_RUNS = 500;
const CLEAN_TARGET_P99_MS = 100;
const VERIFIED_TARGET_P50_MS = 600;
const revocationOf = (name: string) => ({ target: { type: 'user', name }, reason: 'compromise' });

/**
 * The demo account with `copies` of bob (bob-001 …, with his kubeconfig and grant), so that each timed run
 * revokes an identity of its own, as a leak response does: no earlier runs of the identity for the API to look up
 * (the uids they recorded, config/start.ts), where 50 revocations of bob himself would make the last one read 50.
 */
function leakFixture(copies: number): { path: string; accountId: string; names: string[] } {
  const names = Array.from({ length: copies }, (_, i) => `bob-${String(i + 1).padStart(3, '0')}`);
  return { ...fixtureWithOwnAccount(leaversLikeBob(names, { kubeconfigs: true })), names };
}

const runCount = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > MAX_RUNS) throw new InvalidArgumentError(`expected 1 to ${MAX_RUNS}`);
  return n;
};
const { runs, tsx } = new Command()
  .name('bench-leak')
  .option('--runs <n>', `how many revocations are timed (1 to ${MAX_RUNS})`, runCount, 50)
  .option('--tsx', 'the worker and the API under tsx, not compiled')
  .parse()
  .opts<{ runs: number; tsx?: boolean }>();

/** The moments of one run, in ms after the request was sent. */
interface Timeline {
  answered: number;
  started: number;
  firstCall: number;
  clean: number;
  taskSeenDone: number;
  verified: number;
  completed: number;
  told: number;
  taskPolls: number;
}

const EventType = {
  started: 1, // EVENT_TYPE_WORKFLOW_EXECUTION_STARTED
  completed: 2, // EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED
} as const;

/** One revocation of `name` through the API, timed; the emulator is reset first, its journal then holds this run's calls. */
async function revokeOnce(stack: ProcessStack, api: ApiServer, name: string): Promise<Timeline> {
  await stack.emulator.reset();
  await api.token('sam');
  const sentAt = performance.timeOrigin + performance.now();
  const since = (epochMs: number) => epochMs - sentAt;
  const res = await api.call('POST', '/v1/revocations', { as: 'sam', body: revocationOf(name) });
  const answered = since(performance.timeOrigin + performance.now());
  if (res.status !== 201 || res.body.joined !== false) {
    throw new Error(`the revocation was not started: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const handle = stack.client.workflow.getHandle(String(res.body.workflowId), String(res.body.runId));
  const result = await handle.result();
  const told = since(performance.timeOrigin + performance.now());
  if (result.stage !== 'Revoked') throw new Error(`the run ended ${result.stage}: ${result.summary}`);

  const status = await api.call('GET', `/v1/runs/${String(res.body.workflowId)}`, { as: 'sam' });
  if (status.status !== 200 || status.body.stage !== 'Revoked' || !status.body.verification) {
    throw new Error(`the API does not report the run Revoked and verified: ${JSON.stringify(status.body)}`);
  }
  const journal = await readJournal(stack.emulator.url);
  const events = (await handle.fetchHistory()).events ?? [];
  return {
    answered,
    started: since(eventTime(events, EventType.started)),
    ...callTimes(journal, since),
    completed: since(eventTime(events, EventType.completed)),
    told,
  };
}

function eventTime(events: temporal.api.history.v1.IHistoryEvent[], type: number): number {
  const event = events.find((e) => e.eventType === type);
  if (!event) throw new Error(`the run's history has no event of type ${type}`);
  return tsToMs(event.eventTime);
}

/** The worker's Alibaba calls of one run, from the emulator's journal. */
function callTimes(journal: JournalEntry[], since: (epochMs: number) => number) {
  const at = (e: JournalEntry | undefined, field: 'receivedAt' | 'time') => {
    if (!e) throw new Error(`the journal misses a call: ${journal.map((j) => j.action).join(', ')}`);
    return since(Date.parse(e[field]));
  };
  const clean = journal.find((e) => e.action === 'CleanUserPermissions');
  const polls = journal.filter((e) => e.action === 'DescribeTaskInfo');
  return {
    firstCall: at(journal[0], 'receivedAt'),
    clean: at(clean, 'receivedAt'),
    taskSeenDone: at(polls.at(-1), 'time'),
    verified: at(journal.at(-1), 'time'),
    taskPolls: polls.length,
  };
}

const ms = (n: number) => `${n.toFixed(0).padStart(6)} ms`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function row(what: string, values: number[], target?: { p: number; ms: number }): string {
  const figures = [50, 90, 99].map((p) => ms(percentile(values, p))).join(' ');
  const verdict = target
    ? `   target p${target.p} ≤ ${target.ms} ms: ${percentile(values, target.p) <= target.ms ? 'met' : 'MISSED'}`
    : '';
  return `  ${what.padEnd(52)} ${figures} ${ms(Math.max(...values))}${verdict}`;
}

/** The steps from the request to the client told, each with its duration in a run. */
function steps(polls: string): [string, (t: Timeline) => number][] {
  return [
    ['request → run started (API: check, sign, start)', (t) => t.started],
    ['run started → first Alibaba call (worker)', (t) => t.firstCall - t.started],
    ['first call → CleanUserPermissions (resolve)', (t) => t.clean - t.firstCall],
    [`clean → task seen done (${polls} DescribeTaskInfo)`, (t) => t.taskSeenDone - t.clean],
    ['task seen done → last verification read', (t) => t.verified - t.taskSeenDone],
    ['last read → run completed (history)', (t) => t.completed - t.verified],
    ['run completed → client told', (t) => t.told - t.completed],
  ];
}

function report(timelines: Timeline[], cold: Timeline, loadBefore: string): string {
  const of = (f: (t: Timeline) => number) => timelines.map(f);
  const polls = [...new Set(of((t) => t.taskPolls))].sort((a, b) => a - b).join(' or ');
  return [
    `leak response through the API: ${timelines.length} runs of POST /v1/revocations as sam (security), each for a user like bob`,
    `(all clusters, Force; the emulator's clean task takes 300 ms), one after another, the emulator reset before each`,
    `  ${''.padEnd(52)}    p50       p90       p99       max`,
    row(
      'request → CleanUserPermissions received',
      of((t) => t.clean),
      { p: 99, ms: CLEAN_TARGET_P99_MS },
    ),
    row(
      'request → Revoked (verified), client told',
      of((t) => t.told),
      { p: 50, ms: VERIFIED_TARGET_P50_MS },
    ),
    row(
      'request → 201 answered',
      of((t) => t.answered),
    ),
    `  where the time goes, step by step:`,
    ...steps(polls).map(([what, step]) => row(what, of(step))),
    `  first run, untimed (a cold worker and API): clean at ${cold.clean.toFixed(0)} ms, verified at ${cold.told.toFixed(0)} ms`,
    `  load average (1, 5, 15 min) on ${cpus().length} CPUs: ${loadBefore} before, ${load()} after`,
  ].join('\n');
}

async function main(): Promise<void> {
  const loadBefore = load();
  const stops: Array<() => unknown> = [];
  const timelines: Timeline[] = [];
  let cold: Timeline;
  try {
    const fixture = leakFixture(runs);
    const stack = await startProcessStack(
      { name: 'bench-leak', fixturePath: fixture.path, accountId: fixture.accountId, tsx },
      stops,
    );
    await stack.startWorkers(1);
    const api = await startApiServerFor(stack, { main: stack.compiled?.serverMain, env: stack.credentialsEnv });
    stops.push(() => api.stop());
    cold = await revokeOnce(stack, api, 'bob');
    for (const name of fixture.names) timelines.push(await revokeOnce(stack, api, name));
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
  console.log(report(timelines, cold, loadBefore));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
