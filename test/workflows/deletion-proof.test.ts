/**
 * History bounds (issue 12): the deletion activities get a summary of the revocation proof, not the proof with every
 * cluster's kubeconfig state, and the summary's SHA-256 ties each deletion call to the verification the run recorded.
 */
import { statusQuery } from '../../common/messages';
import { summarizeRevocationProof } from '../../common/revocation-proof';
import { OffboardingStage } from '../../common/stages';
import { decide, people } from '../support/trust';
import { readPayload } from '../support/temporal';
import { offboardInput, resetWorld, startOffboard, waitForStage } from './harness';
import { useHarness } from './use-harness';

const h = useHarness('deletion-proof');
beforeEach(() => resetWorld(h, ['alice']));

/** The deletion activities that go through the task queue, whose inputs the history keeps. */
const DELETION_ACTIVITIES = [
  'deleteAccessKey',
  'removeUserFromGroup',
  'detachPolicy',
  'deleteLoginProfile',
  'unbindMfaDevice',
  'deleteIdentity',
];

test('each deletion call carries the summary of the verified proof, whose digest an auditor recomputes from the run', async () => {
  const { handle } = await startOffboard(h, offboardInput(h, 'alice'));
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  await decide(h, handle, 'approveDeletion', {}, people.carol);
  expect((await handle.result()).stage).toBe(OffboardingStage.Completed);

  // The proof, rebuilt as an auditor would: the run's target and its verification as the run recorded it.
  const status = await handle.query(statusQuery);
  const verification = status.verification!;
  const expected = summarizeRevocationProof({
    kind: 'RevocationProof',
    uid: verification.uid,
    target: status.target,
    verifiedAt: verification.verifiedAt,
    kubeconfigs: verification.kubeconfigs,
    grantsRemaining: 0,
  });
  expect(expected).toMatchObject({ clustersChecked: 2, clustersUsable: 0, grantsRemaining: 0 });

  const { events } = await handle.fetchHistory();
  const calls = (events ?? []).flatMap((e) => {
    const a = e.activityTaskScheduledEventAttributes;
    return a && DELETION_ACTIVITIES.includes(a.activityType?.name ?? '') ? [a] : [];
  });
  // Alice's keys, group, policies and MFA device, then DeleteUser (her console login went at quarantine).
  expect(new Set(calls.map((a) => a.activityType?.name))).toEqual(
    new Set(DELETION_ACTIVITIES.filter((name) => name !== 'deleteLoginProfile')),
  );
  for (const call of calls) {
    const input = (await readPayload(call.input!.payloads![0])) as { proof: unknown };
    expect({ activity: call.activityType?.name, proof: input.proof }).toEqual({
      activity: call.activityType?.name,
      proof: expected,
    });
    expect(JSON.stringify(input)).not.toContain('kubeconfigs');
  }
  // The audit trail (written out of Temporal too) names the proof once, where the deletion begins.
  const liveCheck = status.audit.find((e) => e.action === 'live check before deletion' && e.outcome === 'ok');
  expect(liveCheck?.detail).toContain(`sha256:${expected.proofSha256}`);
}, 60_000);
