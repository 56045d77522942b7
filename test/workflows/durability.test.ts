/**
 * Durability: the worker is a real process (`tsx worker/main.ts`, configured by environment like production),
 * killed with SIGKILL mid-run; a new process picks the run up and finishes it, and the emulator's journal shows that
 * no step was repeated harmfully.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { OffboardingStage } from '../../common/stages';
import { decide, people } from '../support/trust';
import { emulatorState, journal, offboardInput, setFaults, startOffboard, successes, waitForStage } from './harness';
import { useHarness } from './use-harness';
import { recordHistory } from './record';
import { groupAlive, killAllWorkers, killGroup, startWorkerProcess } from './worker-process';

const repoRoot = join(__dirname, '..', '..');

// Declared first, so that the worker processes are gone before the harness stops.
afterAll(killAllWorkers);
// A slow clean task (3 s) leaves time to kill the worker while the run verifies the revocation.
const h = useHarness('durability', { inProcessWorker: false, taskDelayMs: 3_000 });

const startWorker = async () => (await startWorkerProcess(h.env)).child;

/** A crash: SIGKILL to the worker's whole process group (tsx and the worker it runs), then wait until it is gone. */
async function kill(child: ChildProcess): Promise<void> {
  killGroup(child);
  const deadline = Date.now() + 10_000;
  while (groupAlive(child) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(groupAlive(child)).toBe(false);
}

test('the worker is killed after revocation and again during deletion; new workers finish the run correctly', async () => {
  const first = await startWorker();
  const { handle } = await startOffboard(h, offboardInput(h, 'alice'));
  // Killed while the clean task is still running: the revocation was asked for, its verification not yet done. The
  // clean is a local activity in the workflow task that follows the inventory: that task is not in the history yet,
  // so the next worker runs it again from the recorded inventory (the clean is idempotent: a second clean task).
  const deadline0 = Date.now() + 30_000;
  while (successes(await journal(h.emulator), 'CleanUserPermissions').length === 0 && Date.now() < deadline0) {
    await new Promise((r) => setTimeout(r, 50));
  }
  await kill(first);
  expect(successes(await journal(h.emulator), 'CleanUserPermissions')).toHaveLength(1);

  const second = await startWorker();
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 60_000, 'approval');
  // Slow deletion calls leave time to kill the worker in the middle of the Deletion stage.
  await setFaults(h.emulator, {
    rules: [
      'DeleteAccessKey',
      'RemoveUserFromGroup',
      'DetachPolicyFromUser',
      'DeleteLoginProfile',
      'UnbindMFADevice',
    ].map((action) => ({
      action,
      kind: 'latency',
      latencyMs: 700,
    })),
  });
  await decide(h, handle, 'approveDeletion', {}, people.carol);
  await waitForStage(handle, OffboardingStage.Deletion, 30_000);
  const deadline = Date.now() + 20_000;
  while (successes(await journal(h.emulator), 'DeleteAccessKey').length === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  await kill(second);
  expect(successes(await journal(h.emulator), 'DeleteUser')).toHaveLength(0);

  const third = await startWorker();
  const result = await handle.result();
  expect(result.stage).toBe(OffboardingStage.Completed);

  const entries = await journal(h.emulator);
  // The clean ran again after the first crash (two clean tasks, both harmless); one delete, and every repeated
  // deletion call was a harmless "already gone".
  expect(successes(entries, 'CleanUserPermissions')).toHaveLength(2);
  expect(successes(entries, 'DeleteUser')).toHaveLength(1);
  const deletionErrors = entries.filter(
    (e) =>
      /^(Delete|Remove|Detach|Unbind)/.test(e.action) &&
      e.outcome === 'error' &&
      !String(e.errorCode).startsWith('EntityNotExist'),
  );
  expect(deletionErrors).toEqual([]);
  const state = await emulatorState(h.emulator);
  expect((state.users as Array<{ name: string }>).map((u) => u.name)).not.toContain('alice');
  await recordHistory('durability-killed-worker', handle);

  // Graceful shutdown: SIGTERM (tsx passes it on to the worker) drains and exits 0, leaving no process behind.
  const code = await new Promise<number | null>((resolve) => {
    third.once('exit', (c) => resolve(c));
    third.kill('SIGTERM');
  });
  expect(code).toBe(0);
  await new Promise((r) => setTimeout(r, 500));
  expect(groupAlive(third)).toBe(false);
}, 180_000);

test('the worker refuses a bad configuration at start, naming each variable and its rule (exit 2)', async () => {
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), join(repoRoot, 'worker', 'main.ts')], {
    cwd: repoRoot,
    env: { ...process.env, ...h.env, OFFBOARD_ALIBABA_MODE: 'production', OFFBOARD_TOKEN_ISSUER: 'has spaces' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  expect(code).toBe(2);
  expect(stderr).toMatch(/OFFBOARD_ALIBABA_MODE: must be "emulator" \(default\) or "live" \(got "production"\)/);
  expect(stderr).toMatch(/OFFBOARD_TOKEN_ISSUER: must be 1-200 characters without spaces/);
}, 60_000);
