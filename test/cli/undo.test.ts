/**
 * Undo through the CLI, each admin signed in with `offboard login`: carol asks (`undo`), her own `approve-undo` is
 * refused (four eyes, exit 4), dave approves and alice is back; a second undo is refused with the run's reason (exit
 * 4); a run that is not a user's offboarding is refused before anything is contacted (exit 2).
 */
import { offboardWorkflowId, undoWorkflowId } from '../../common/ids';
import { OffboardingStage } from '../../common/stages';
import { decide, people } from '../support/trust';
import { closeTestConnections } from '../support/temporal';
import {
  emulatorState,
  offboardInput,
  resetWorld,
  setEmulatorOptions,
  startOffboard,
  waitForStage,
} from '../workflows/harness';
import { argv } from './argv';
import { type CliWorld, offboard, startCliWorld } from './cli-harness';

let w: CliWorld;
beforeAll(async () => {
  w = await startCliWorld('cli-undo');
}, 120_000);
afterAll(async () => {
  await w?.stop();
  await closeTestConnections();
});
beforeEach(async () => {
  await resetWorld(w.h, ['alice']);
  await setEmulatorOptions(w.h.emulator, { recycleBin: { retentionDays: 30 } });
});

test('carol asks for the undo, dave approves it; the requester cannot approve; a second undo is refused', async () => {
  const { handle } = await startOffboard(w.h, offboardInput(w.h, 'alice'));
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 60_000, 'approval');
  await decide(w.h, handle, 'approveDeletion', {}, people.carol);
  expect((await handle.result()).stage).toBe(OffboardingStage.Completed);
  const [carol, dave] = await Promise.all([w.as('carol'), w.as('dave')]);
  const undoId = undoWorkflowId(w.h.accountId, { type: 'user', name: 'alice' });

  const asked = await offboard(carol, argv('undo', { user: 'alice', reason: 'HR-1042: called off' }));
  expect(asked.stderr).toBe('');
  expect(asked.code).toBe(0);
  expect(asked.stdout).toContain(undoId);
  expect(asked.stdout).toContain(`offboard approve-undo ${undoId}`);

  const own = await offboard(carol, argv('approve-undo', undoId));
  expect(own.code).toBe(4);
  expect(own.stderr).toMatch(/four eyes/);

  const approved = await offboard(dave, argv('approve-undo', { user: 'alice' }));
  expect(approved.code).toBe(0);
  expect(approved.stdout).toMatch(/approveUndo by Dave/);
  const undone = await w.h.client.workflow.getHandle(undoId).result();
  expect(undone.stage).toBe(OffboardingStage.Completed);
  const state = (await emulatorState(w.h.emulator)) as { users: Array<{ name: string }> };
  expect(state.users.some((u) => u.name === 'alice')).toBe(true);

  const again = await offboard(
    dave,
    argv('undo', offboardWorkflowId(w.h.accountId, { type: 'user', name: 'alice' }), { reason: 'again' }),
  );
  expect(again.code).toBe(4);
  expect(again.stderr).toMatch(/already restored/);
});

test('only the offboarding of a user can be undone: refused before anything is contacted', async () => {
  const carol = await w.as('carol');
  const role = await offboard(carol, argv('undo', `revoke/${w.h.accountId}/user/alice`, { reason: 'x' }));
  expect(role.code).toBe(2);
  expect(role.stderr).toMatch(/only the offboarding of a RAM user can be undone/);
});
