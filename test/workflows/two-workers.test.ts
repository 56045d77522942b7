/**
 * Horizontal scale: two worker processes on one task queue share a bulk of 40 offboardings, and one is SIGKILLed in
 * the middle of it. The other finishes every run — each identity quarantined, cleaned and deleted once — and the runs'
 * histories show both workers took work. Runs are approved as they reach AwaitingApproval, by signal (a signal is
 * accepted by the server even while the run's worker is dead), so the bulk spans every stage when the kill comes.
 */
import { type ChildProcess } from 'node:child_process';
import { type WorkflowHandle } from '@temporalio/client';
import { SearchAttributes } from '../../common/search-attributes';
import { OffboardingStage } from '../../common/stages';
import { type RunResult } from '../../common/types';
import { type JournalEntry } from '../../emulator';
import { people, signalDecision } from '../support/trust';
import { emulatorState, journal, offboardInput, startOffboard, successes } from './harness';
import { departingUserNames, departingUsersFixture } from './departing-users';
import { useHarness } from './use-harness';
import { groupAlive, killAllWorkers, killGroup, startWorkerProcess, type WorkerProcess } from './worker-process';

const USERS = 40;
const names = departingUserNames(USERS);

// Declared first, so that the worker processes are gone before the harness stops.
afterAll(killAllWorkers);

const h = useHarness('two-workers', {
  inProcessWorker: false,
  // 40 deletions in a few seconds: above the default blast-radius failsafe (20 an hour), which is tested on its own.
  env: { OFFBOARD_DELETION_FAILSAFE: '100/1h' },
  editFixture(fixture) {
    const account = fixture.account as { id: string };
    Object.assign(fixture, departingUsersFixture(USERS, account.id));
  },
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Nothing to remind of or expire while the bulk waits for its approvals. */
const quietly = { approvalReminderEvery: '1h', approvalExpiresAfter: '2h' };

async function kill(child: ChildProcess): Promise<void> {
  killGroup(child);
  const deadline = Date.now() + 10_000;
  while (groupAlive(child) && Date.now() < deadline) await sleep(50);
  expect(groupAlive(child)).toBe(false);
}

/**
 * The worker's own pid (tsx runs it in a child process), from its JSON "polling task queue" line: its Temporal identity
 * is `<pid>@<host>`.
 */
function workerPid(worker: WorkerProcess): string {
  for (const line of worker.output().split('\n')) {
    if (!line.includes('"polling task queue')) continue;
    const entry = JSON.parse(line) as { msg?: string; pid?: number };
    if (entry.pid) return String(entry.pid);
  }
  throw new Error(`the worker printed no pid:\n${worker.output()}`);
}

/** Approves, as carol, every run of the bulk that waits for its approval, until `count` are approved. */
async function approveAsTheyArrive(
  handles: Map<string, WorkflowHandle>,
  count: number,
  deadline: number,
): Promise<void> {
  const approved = new Set<string>();
  const query = `${SearchAttributes.account.name} = '${h.accountId}' AND ${SearchAttributes.stage.name} = '${OffboardingStage.AwaitingApproval}'`;
  while (approved.size < count) {
    if (Date.now() > deadline) throw new Error(`only ${approved.size} of ${count} runs reached approval`);
    for await (const run of h.client.workflow.list({ query })) {
      const handle = handles.get(run.workflowId);
      if (!handle || approved.has(run.workflowId)) continue;
      await signalDecision(h, handle, 'approveDeletion', {}, people.carol);
      approved.add(run.workflowId);
    }
    await sleep(300);
  }
}

/** The journal's calls of `action` on user `name`. */
function callsOn(entries: JournalEntry[], action: string, name: string): JournalEntry[] {
  return entries.filter((e) => e.action === action && e.params.UserName === name);
}

test('two workers share a bulk of 40; one is killed mid-way: the other finishes every run, each identity deleted once', async () => {
  const [first, second] = await Promise.all([startWorkerProcess(h.env), startWorkerProcess(h.env)]);
  const handles = new Map<string, WorkflowHandle>();
  const start = async (batch: string[]) => {
    for (const name of batch) {
      const { handle } = await startOffboard(h, offboardInput(h, name, quietly));
      handles.set(handle.workflowId, handle);
    }
  };
  // The bulk comes in over time, as a file intake would start it: half, then the rest once deletions are under way.
  const [early, late, last] = [names.slice(0, USERS / 2), names.slice(USERS / 2, -10), names.slice(-10)];
  await start(early);
  const approving = approveAsTheyArrive(handles, USERS, Date.now() + 200_000);
  approving.catch(() => undefined); // awaited below; a failure before then must not go unhandled
  const deadline = Date.now() + 150_000;
  while (successes(await journal(h.emulator), 'DeleteUser').length < 5 && Date.now() < deadline) await sleep(200);
  await start(late);

  // Killed mid-bulk: five identities or more deleted, ten runs not started yet, the others anywhere between.
  const pids = [workerPid(first), workerPid(second)];
  await kill(first.child);
  const atKill = await journal(h.emulator);
  expect(successes(atKill, 'DeleteUser').length).toBeGreaterThanOrEqual(5);
  expect(successes(atKill, 'CleanUserPermissions').length).toBeLessThan(USERS);
  await start(last);

  await approving;
  const results: RunResult[] = await Promise.all([...handles.values()].map((handle) => handle.result()));
  expect(results.map((r) => r.stage)).toEqual(Array(USERS).fill(OffboardingStage.Completed));

  const entries = await journal(h.emulator);
  const state = await emulatorState(h.emulator);
  const uids = new Map(h.emulator.fixture.users.map((u) => [u.name, u.id]));
  const kubeconfigs = state.kubeconfigs as Record<string, Array<{ cluster: string; state: string }>>;
  for (const name of names) {
    const uid = uids.get(name) as string;
    const deletes = callsOn(entries, 'DeleteUser', name);
    const deleted = deletes.filter((e) => e.outcome === 'success');
    // Deleted once; a repeat after a lost answer may only find the user gone.
    expect({ name, deleted: deleted.length }).toEqual({ name, deleted: 1 });
    expect(deletes.filter((e) => e.outcome === 'error' && !String(e.errorCode).startsWith('EntityNotExist'))).toEqual(
      [],
    );
    // Quarantined (deny policy, console login) and cleaned (a repeated clean is idempotent) before the deletion.
    const before = (action: string) =>
      callsOn(entries, action, name).some((e) => e.outcome === 'success' && e.seq < deleted[0].seq);
    expect({ name, denied: before('AttachPolicyToUser'), loginGone: before('DeleteLoginProfile') }).toEqual({
      name,
      denied: true,
      loginGone: true,
    });
    const cleans = successes(entries, 'CleanUserPermissions').filter((e) => String(e.params.Uid) === uid);
    expect({ name, cleanedFirst: cleans.length > 0 && cleans[0].seq < deleted[0].seq }).toEqual({
      name,
      cleanedFirst: true,
    });
    expect({ name, kubeconfigs: kubeconfigs[uid].filter((k) => k.state === 'Unexpired') }).toEqual({
      name,
      kubeconfigs: [],
    });
  }
  expect((state.users as Array<{ name: string }>).map((u) => u.name).filter((n) => names.includes(n))).toEqual([]);

  // Both workers took the bulk's activities: the killed one before it died, the other to the end.
  const identities = new Set<string>();
  for (const handle of handles.values()) {
    for (const event of (await handle.fetchHistory()).events ?? []) {
      const identity = event.activityTaskStartedEventAttributes?.identity;
      if (identity) identities.add(identity.split('@')[0]);
    }
  }
  expect([...identities].sort()).toEqual([...pids].sort());
}, 300_000);
