/**
 * An account with more clusters than one page lists (issue 13, item 5b): the search for kubeconfigs left by an
 * identity RAM no longer knows reads every page of DescribeClustersV1, not the first 100 clusters.
 */
import { OffboardingStage } from '../../common/stages';
import { emulatorState, journal, offboardInput, resetWorld, startOffboard, successes } from './harness';
import { useHarness } from './use-harness';

// 150 generated clusters (c-gen-0001…) sort before c-prod-1, where the former contractor's kubeconfig is: it is the
// 151st cluster DescribeClustersV1 lists.
const h = useHarness('fail-closed-many-clusters', {
  editFixture: (f) => {
    f.generatedClusters = { count: 150 };
  },
});
beforeEach(() => resetWorld(h, ['former-contractor']));

test('item 5b: a leftover kubeconfig on the 151st cluster is found and revoked: the cluster list is read to its end', async () => {
  const { handle } = await startOffboard(h, offboardInput(h, 'former-contractor'));
  const result = await handle.result();
  expect(result.stage).toBe(OffboardingStage.AlreadyGone);
  expect(result.outcome).toMatch(/revoked 1 leftover kubeconfig/);
  const entries = await journal(h.emulator);
  expect(successes(entries, 'DescribeClustersV1').length).toBeGreaterThanOrEqual(2);
  const clean = successes(entries, 'CleanUserPermissions');
  expect(clean).toHaveLength(1);
  expect(JSON.stringify(clean[0].params)).toContain('2034000000000099');
  const state = await emulatorState(h.emulator);
  const left = (state.kubeconfigs as Record<string, Array<{ cluster: string; state: string }>>)['2034000000000099'];
  expect(left.find((k) => k.cluster === 'c-prod-1')?.state).toBe('Removed');
});
