import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { type Plan } from '../../common/plan';
import { closeTestConnections } from '../support/temporal';
import { journal, resetWorld, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('plan');
});
afterAll(async () => {
  await h?.stop();
  await closeTestConnections();
});
beforeEach(() => resetWorld(h, ['alice']));

function plan(args: unknown): Promise<Plan> {
  return h.client.workflow.execute('planOffboarding', {
    workflowId: `plan/${randomUUID()}`,
    taskQueue: h.taskQueue,
    args: [args],
  });
}

test('the dry run says what an offboarding would do, with read-only calls only', async () => {
  const p = await plan({ accountId: h.accountId, target: { type: 'user', name: 'alice' } });
  expect(p).toMatchObject({ exists: true, target: { type: 'user', name: 'alice' }, blocking: false });
  expect(p.quarantine).toEqual(expect.arrayContaining(['block console login']));
  expect(p.delete[p.delete.length - 1]).toBe('DeleteUser alice');
  expect(p.revoke.kubeconfigs.map((k) => k.certState)).toEqual(['Unexpired', 'Unexpired']);
  const actions = (await journal(h.emulator)).map((e) => e.action);
  expect(actions.length).toBeGreaterThan(0);
  expect(actions.every((a) => /^(Get|List|Describe)/.test(a))).toBe(true);

  const gone = await plan({ accountId: h.accountId, target: { type: 'user', name: 'former-contractor' } });
  expect(gone).toMatchObject({
    exists: false,
    leftoverKubeconfigs: [expect.objectContaining({ certState: 'Unexpired' })],
  });
});

test('bad input fails the dry run before any call, naming the field', async () => {
  const before = (await journal(h.emulator)).length;
  const err = await plan({
    accountId: h.accountId,
    target: { type: 'user', name: 'offboarding-bot' },
    clusterIds: ['X'],
  }).catch((e) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect(err.cause.message).toMatch(/clusterIds\[0\]/);
  expect((await journal(h.emulator)).length).toBe(before);
});
