/**
 * A worker killed mid-sweep: the sweep is a real worker process, SIGKILLed while its first orphans' clean tasks run;
 * a new process finishes the sweep, and the emulator's journal shows each orphan cleaned exactly once.
 */
import { type ChildProcess } from 'node:child_process';
import { SearchAttributes } from '../../common/search-attributes';
import { journal, successes } from './harness';
import { expectedOrphans, generatedAccount, startSignedSweep } from './sweep-support';
import { REVOKE_CONCURRENCY } from '../../workflows/sweep/revoke-orphans';
import { useHarness } from './use-harness';
import { groupAlive, killAllWorkers, killGroup, startWorkerProcess } from './worker-process';

afterAll(killAllWorkers);
const account = generatedAccount();
// Clean tasks of 3 s: the first orphans' revocations are in flight (following their task) when the worker dies.
const h = useHarness('sweep-durability', {
  inProcessWorker: false,
  taskDelayMs: 3_000,
  editFixture: account.editFixture,
});

async function kill(child: ChildProcess): Promise<void> {
  killGroup(child);
  const deadline = Date.now() + 10_000;
  while (groupAlive(child) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(groupAlive(child)).toBe(false);
}

test('a worker killed while the sweep revokes: a new worker finishes it, and no orphan is cleaned twice', async () => {
  const orphanUids = Object.keys(expectedOrphans(account.summary)).sort();
  expect(orphanUids.length).toBeGreaterThan(REVOKE_CONCURRENCY);
  const first = await startWorkerProcess(h.env);
  const handle = await startSignedSweep(h, { mode: 'revoke' });

  // The first lanes' cleans are accepted; their tasks run 3 s, so no lane takes a new orphan before the kill.
  const deadline = Date.now() + 60_000;
  while (
    successes(await journal(h.emulator), 'CleanUserPermissions').length < REVOKE_CONCURRENCY &&
    Date.now() < deadline
  ) {
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 300));
  await kill(first.child);
  const cleanedBeforeKill = successes(await journal(h.emulator), 'CleanUserPermissions').length;
  expect(cleanedBeforeKill).toBe(REVOKE_CONCURRENCY);
  // With no worker alive, the stage is read from the search attribute, as on-call would in the UI.
  expect((await handle.describe()).typedSearchAttributes.get(SearchAttributes.stage)).toBe('Revoking');

  await startWorkerProcess(h.env);
  const report = await handle.result();
  expect(report.complete).toBe(true);
  expect(report.counts.revoked).toBe(orphanUids.length);
  const cleaned = successes(await journal(h.emulator), 'CleanUserPermissions').map((e) => String(e.params.Uid));
  expect(cleaned.sort()).toEqual(orphanUids);
});
