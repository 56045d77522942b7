/**
 * A scoped revocation says only what it did (issue 13, item 6): a cluster that does not exist is bad input before
 * anything changes, the outcome names the clusters revoked and those left untouched, and a second request with other
 * clusters for the same identity is refused with the running run's id instead of silently joining it.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { OffboardingStage } from '../../common/stages';
import { RunScopeConflictError } from '../../config/start';
import {
  journal,
  offboardInput,
  resetWorld,
  revokeInput,
  setFaults,
  startOffboard,
  startRevoke,
  successes,
} from './harness';
import { useHarness } from './use-harness';

const h = useHarness('fail-closed-scoped-revoke');
beforeEach(() => resetWorld(h, ['alice']));

const CHANGES = /^(Update|Delete|Clean|Grant|Remove|Detach|Unbind)/;

test('item 6: a cluster that does not exist is bad input: the run fails InvalidInput naming it, and nothing changes', async () => {
  const revoke = await startRevoke(h, revokeInput(h, 'alice', { clusterIds: ['c-prod-1', 'c-typo-1'] }));
  const err = await revoke.handle.result().catch((e) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect(err.cause).toBeInstanceOf(ApplicationFailure);
  expect(err.cause.type).toBe('InvalidInput');
  expect(err.cause.message).toMatch(/clusterIds: c-typo-1 does not exist/);
  expect(err.cause.message).not.toMatch(/c-prod-1 does not exist/);

  const offboard = await startOffboard(h, offboardInput(h, 'alice', { clusterIds: ['c-typo-1'] }));
  const err2 = await offboard.handle.result().catch((e) => e);
  expect(err2.cause.type).toBe('InvalidInput');
  expect(err2.cause.message).toMatch(/c-typo-1 does not exist/);
  expect((await journal(h.emulator)).filter((e) => CHANGES.test(e.action))).toEqual([]);
});

test('item 6: the outcome names the clusters revoked and those left untouched', async () => {
  const scoped = await startRevoke(h, revokeInput(h, 'alice', { clusterIds: ['c-prod-1'] }));
  const result = await scoped.handle.result();
  expect(result.stage).toBe(OffboardingStage.Revoked);
  expect(result.outcome).toMatch(/revoked and verified on c-prod-1/);
  expect(result.outcome).toMatch(/left untouched: c-staging-1/);

  await resetWorld(h, ['alice']);
  const all = await startRevoke(h, revokeInput(h, 'alice'));
  const everywhere = await all.handle.result();
  expect(everywhere.outcome).toMatch(/revoked and verified on all 2 clusters \(c-prod-1, c-staging-1\)/);
  expect(everywhere.outcome).not.toMatch(/untouched/);
});

test('item 6: a second revoke with other clusters for the same identity is refused with the running run’s id; the same request joins', async () => {
  // The first run is held in its first call, so it is still running when the second request comes.
  await setFaults(h.emulator, { rules: [{ action: 'GetUser', kind: 'latency', latencyMs: 3_000, count: 1 }] });
  const first = await startRevoke(h, revokeInput(h, 'alice', { clusterIds: ['c-prod-1'] }));
  const conflict = await startRevoke(h, revokeInput(h, 'alice', { clusterIds: ['c-staging-1'] })).catch((e) => e);
  expect(conflict).toBeInstanceOf(RunScopeConflictError);
  expect(conflict).toMatchObject({
    workflowId: first.workflowId,
    runId: first.runId,
    runningClusterIds: ['c-prod-1'],
    requestedClusterIds: ['c-staging-1'],
  });
  expect(conflict.message).toContain(first.workflowId);

  const same = await startRevoke(h, revokeInput(h, 'alice', { clusterIds: ['c-prod-1'] }));
  expect(same.runId).toBe(first.runId);
  expect((await first.handle.result()).stage).toBe(OffboardingStage.Revoked);
  expect(successes(await journal(h.emulator), 'CleanClusterUserPermissions')).toHaveLength(1);
});
