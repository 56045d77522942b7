/**
 * What real Alibaba Cloud may answer that the demo world does not (issue 13, items 12–14): the refusal of a clean
 * without Force in another form, deleted identities listed without a name, clusters without API-server auditing.
 */
import { type WorkflowHandle } from '@temporalio/client';
import { statusQuery } from '../../common/messages';
import { OffboardingStage } from '../../common/stages';
import { type RunStatus } from '../../common/types';
import { decide, people } from '../support/trust';
import {
  emulatorState,
  journal,
  offboardInput,
  resetWorld,
  revokeInput,
  setClusterSwitches,
  setEmulatorOptions,
  setFaults,
  startOffboard,
  startRevoke,
  successes,
  waitForStage,
  waitForStatus,
} from './harness';
import { deleteUserOutsideRun, outsideWorldOf } from './outside-changes';
import { useHarness } from './use-harness';

const h = useHarness('fail-closed-alibaba-answers');
beforeEach(() => resetWorld(h, ['alice', 'bob', 'former-contractor']));

const waitingForAdmin = (handle: WorkflowHandle, stage: OffboardingStage) =>
  waitForStage(handle, stage, 30_000, 'dependencies');

function kubeconfigState(state: Record<string, unknown>, uid: string, cluster: string): string | undefined {
  return (state.kubeconfigs as Record<string, Array<{ cluster: string; state: string }>>)[uid]?.find(
    (k) => k.cluster === cluster,
  )?.state;
}

test.each([
  ['recent-access', 'ErrorCleanPermissions.RecentAccess', '400'],
  ['operation-denied', 'OperationDenied', '403'],
])(
  'item 12: the refusal of a clean without Force in its %s form asks an admin, with the raw code and message as evidence',
  async (form, code, status) => {
    await setEmulatorOptions(h.emulator, { cleanRefusal: form });
    const { handle } = await startOffboard(h, offboardInput(h, 'bob'));
    // Bob's key was used two days ago: the dependency check asks first.
    await waitingForAdmin(handle, OffboardingStage.DependencyCheck);
    await decide(h, handle, 'resolveDependencies', { decision: 'proceed', reason: 'script retired' }, people.carol);
    const waiting = await waitingForAdmin(handle, OffboardingStage.Revocation);
    const finding = waiting.findings.find((f) => f.probe === 'alibaba-recent-cluster-access');
    expect(finding).toMatchObject({ blocking: true, evidence: { code, statusCode: status } });
    expect(finding?.evidence.message).toMatch(/7 days/);
    await decide(h, handle, 'resolveDependencies', { decision: 'proceed', reason: 'his last day' }, people.carol);
    await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
    const cleans = (await journal(h.emulator)).filter((e) => e.action === 'CleanUserPermissions');
    expect(cleans.map((e) => [e.errorCode ?? 'ok', JSON.stringify(e.params).includes('true')])).toEqual([
      [code, false],
      ['ok', true],
    ]);
    await handle.terminate('test done');
  },
);

test('item 12: a 4xx refusal the run cannot classify asks an admin with the raw answer instead of blocking', async () => {
  await setFaults(h.emulator, {
    rules: [{ action: 'CleanUserPermissions', kind: 'foreign-error', statusCode: 400, body: 'json', count: 1 }],
  });
  const { handle } = await startOffboard(h, offboardInput(h, 'alice'));
  const waiting = await waitingForAdmin(handle, OffboardingStage.Revocation);
  const finding = waiting.findings.find((f) => f.probe === 'alibaba-clean-refusal');
  expect(finding?.summary).toMatch(/not sure what it means/);
  expect(finding?.evidence).toMatchObject({ statusCode: '400', message: 'no Route matched with those values' });
  await decide(h, handle, 'resolveDependencies', { decision: 'proceed', reason: 'checked the cluster' }, people.dave);
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  await handle.terminate('test done');
});

test('item 13: a deleted identity listed without a name is not "no kubeconfig left": an admin decides, then its kubeconfig is revoked', async () => {
  await setEmulatorOptions(h.emulator, { namelessDeletedIdentities: true });
  const { handle } = await startOffboard(h, offboardInput(h, 'former-contractor'));
  const waiting = await waitForStatus(handle, (s) => s.pendingDecision === 'dependencies', 'an admin question');
  const finding = waiting.findings.find((f) => f.probe === 'nameless-deleted-kubeconfig');
  expect(finding).toMatchObject({ blocking: true, evidence: { clusterId: 'c-prod-1', uid: '2034000000000099' } });
  await decide(h, handle, 'resolveDependencies', { decision: 'proceed', reason: 'revoke them all' }, people.carol);
  const result = await handle.result();
  expect(result.stage).toBe(OffboardingStage.AlreadyGone);
  expect(result.outcome).toMatch(/2034000000000099/);
  expect(kubeconfigState(await emulatorState(h.emulator), '2034000000000099', 'c-prod-1')).toBe('Removed');
});

test('item 13: the uid an earlier run recorded finds a nameless leftover without asking', async () => {
  // An earlier run (a scoped revocation) recorded alice's uid; her kubeconfig on c-staging-1 stayed valid.
  const earlier = await startRevoke(h, revokeInput(h, 'alice', { clusterIds: ['c-prod-1'] }));
  const first = await earlier.handle.result();
  expect(first.uid).toBe('2034000000000002');
  await deleteUserOutsideRun(outsideWorldOf(h.emulator), 'alice');
  await setEmulatorOptions(h.emulator, { namelessDeletedIdentities: true });
  // Visibility is eventually consistent: wait until the earlier run is listed with its uid.
  for (let i = 0; i < 50; i++) {
    const runs = h.client.workflow.list({ query: `OffboardingUid = '2034000000000002'` });
    let found = false;
    for await (const _ of runs) found = true;
    if (found) break;
    await new Promise((r) => setTimeout(r, 200));
  }

  const { handle } = await startOffboard(h, offboardInput(h, 'alice'));
  const result = await handle.result();
  expect(result.stage).toBe(OffboardingStage.AlreadyGone);
  expect(result.outcome).toMatch(/revoked 1 leftover kubeconfig/);
  const status: RunStatus = await handle.query(statusQuery);
  expect(status.decisions).toEqual([]);
  expect(kubeconfigState(await emulatorState(h.emulator), '2034000000000002', 'c-staging-1')).toBe('Removed');
});

test('item 14: clusters with API-server auditing off are found up front and the admin is asked once for all of them', async () => {
  await setClusterSwitches(h.emulator, 'c-prod-1', { auditLog: false });
  await setClusterSwitches(h.emulator, 'c-staging-1', { auditLog: false });
  const { handle } = await startOffboard(h, offboardInput(h, 'alice'));
  const waiting = await waitingForAdmin(handle, OffboardingStage.DependencyCheck);
  const audit = waiting.findings.filter((f) => f.probe === 'auditing-off');
  expect(audit.map((f) => f.evidence.clusterId)).toEqual(['c-prod-1', 'c-staging-1']);
  expect(audit.every((f) => f.blocking && /auditing is off/.test(f.summary))).toBe(true);
  await decide(
    h,
    handle,
    'resolveDependencies',
    { decision: 'proceed', reason: 'known, no audit there' },
    people.carol,
  );
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  // Asked once: the clean went with Force straight away, with no refusal and no second question.
  const cleans = (await journal(h.emulator)).filter((e) => e.action === 'CleanUserPermissions');
  expect(cleans).toHaveLength(1);
  expect(cleans[0].outcome).toBe('success');
  expect(JSON.stringify(cleans[0].params)).toMatch(/"Force":"?true/);
  const status = await handle.query(statusQuery);
  expect(status.decisions.filter((d) => d.kind === 'resolveDependencies')).toHaveLength(1);
  expect(successes(await journal(h.emulator), 'GetClusterAuditProject').length).toBeGreaterThan(0);
  await handle.terminate('test done');
});
