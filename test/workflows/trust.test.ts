/**
 * What someone with raw Temporal access can do to a run without the API's signature: nothing that changes an
 * identity. Starts, updates and signals sent straight to Temporal, forged or replayed, are refused by the workflow.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { offboardWorkflowId } from '../../common/ids';
import { approveDeletionSignal, approveDeletionUpdate, retryUpdate, statusQuery } from '../../common/messages';
import { MAX_REFUSED_SIGNALS_RECORDED } from '../../workflows/run/messages';
import { OffboardingStage } from '../../common/stages';
import { DEFAULT_TOKEN_ISSUER, generateSigningKey } from '../../config/trust-keys';
import { createTokenSigner } from '../../server/signer';
import { closeTestConnections } from '../support/temporal';
import { decide, people, signDecisionFor } from '../support/trust';
import {
  journal,
  offboardInput,
  resetWorld,
  setWorkerClusterAccess,
  startHarness,
  startOffboard,
  successes,
  waitForStage,
  waitForStatus,
  type Harness,
} from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness('trust');
});
afterAll(async () => {
  await h?.stop();
  await closeTestConnections();
});
beforeEach(() => resetWorld(h, ['alice', 'bob', 'carol']));

/** Alibaba calls the run made (the emulator's journal): a refused run makes none. */
async function alibabaCalls(): Promise<number> {
  return (await journal(h.emulator)).length;
}

test('a run started without a signed request, or with a forged one, ends Refused and changes nothing', async () => {
  const workflowId = offboardWorkflowId(h.accountId, { type: 'user', name: 'alice' });
  const unsigned = await h.client.workflow.start('offboardIdentity', {
    workflowId,
    taskQueue: h.taskQueue,
    args: [offboardInput(h, 'alice')],
  });
  const refused = await unsigned.result();
  expect(refused.stage).toBe(OffboardingStage.Refused);
  expect(refused.outcome).toMatch(/started without a signed request; nothing was changed/);

  // Signed, but with a key the worker does not trust.
  const forger = await createTokenSigner([generateSigningKey('test-key')], DEFAULT_TOKEN_ISSUER);
  const request = offboardInput(h, 'alice');
  const forged = await h.client.workflow.start('offboardIdentity', {
    workflowId,
    taskQueue: h.taskQueue,
    args: [
      {
        ...request,
        authorization: await forger.signRequest({
          workflow: 'offboardIdentity',
          workflowId,
          request,
          person: people.hrJane,
        }),
      },
    ],
  });
  expect((await forged.result()).outcome).toMatch(/signature does not verify/);

  // A genuine request for bob, replayed to start a run for alice: the input is not what was signed.
  const bobRequest = offboardInput(h, 'bob');
  const forBob = await h.signer.signRequest({
    workflow: 'offboardIdentity',
    workflowId: offboardWorkflowId(h.accountId, bobRequest.target),
    request: bobRequest,
    person: people.hrJane,
  });
  const swapped = await h.client.workflow.start('offboardIdentity', {
    workflowId,
    taskQueue: h.taskQueue,
    args: [{ ...offboardInput(h, 'alice'), authorization: forBob }],
  });
  expect((await swapped.result()).stage).toBe(OffboardingStage.Refused);
  expect(await alibabaCalls()).toBe(0);
});

test('forged, altered, expired, misdirected and replayed decisions are refused by the run, as updates and as signals', async () => {
  const { handle } = await startOffboard(h, offboardInput(h, 'alice'));
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  const refusal = async (token: string) => {
    const err = await handle.executeUpdate(approveDeletionUpdate, { args: [{ token }] }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    return err.cause.type as string;
  };

  const forger = await createTokenSigner([generateSigningKey('test-key')], DEFAULT_TOKEN_ISSUER);
  const runId = (await handle.describe()).runId;
  const forged = await forger.signDecision({
    workflowId: handle.workflowId,
    runId,
    decision: 'approveDeletion',
    args: {},
    person: people.carol,
  });
  expect(await refusal(forged)).toBe('TokenInvalid');

  // Bob's genuine token with his roles raised: the signature no longer covers the payload.
  const [head, payload, signature] = (await signDecisionFor(h, handle, 'approveDeletion', {}, people.bob)).split('.');
  const raised = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), roles: ['admin'] };
  expect(await refusal(`${head}.${Buffer.from(JSON.stringify(raised)).toString('base64url')}.${signature}`)).toBe(
    'TokenInvalid',
  );

  const shortLived = await createTokenSigner([h.key], h.issuer, 1);
  const expiring = await shortLived.signDecision({
    workflowId: handle.workflowId,
    runId,
    decision: 'approveDeletion',
    args: {},
    person: people.carol,
  });
  await new Promise((r) => setTimeout(r, 2_100));
  expect(await refusal(expiring)).toBe('TokenExpired');

  const forOtherRun = await h.signer.signDecision({
    workflowId: handle.workflowId,
    runId: 'another-run-of-alice',
    decision: 'approveDeletion',
    args: {},
    person: people.carol,
  });
  expect(await refusal(forOtherRun)).toBe('WrongRun');
  // A retry signed for carol, sent as an approval.
  expect(await refusal(await signDecisionFor(h, handle, 'retry', {}, people.carol))).toBe('WrongRun');

  // The same forgeries as signals: each is recorded as refused, none changes the run.
  for (const token of [forged, expiring, forOtherRun]) await handle.signal(approveDeletionSignal, { token });
  const status = await waitForStatus(
    handle,
    (s) => s.audit.filter((e) => e.outcome === 'refused').length >= 3,
    'three refused signals',
  );
  expect(status.stage).toBe(OffboardingStage.AwaitingApproval);
  expect(status.decisions).toHaveLength(0);
  expect(
    status.audit
      .filter((e) => e.outcome === 'refused')
      .map((e) => e.detail?.split(':')[0])
      .sort(),
  ).toEqual(['TokenExpired', 'TokenInvalid', 'WrongRun']);
  expect(successes(await journal(h.emulator), 'DeleteUser')).toHaveLength(0);
  await handle.terminate('test done');
});

test('a flood of forged signals is counted, not recorded one by one: the run and its state stay as they were', async () => {
  const { handle } = await startOffboard(h, offboardInput(h, 'alice'));
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  const forger = await createTokenSigner([generateSigningKey('test-key')], DEFAULT_TOKEN_ISSUER);
  const token = await forger.signDecision({
    workflowId: handle.workflowId,
    runId: (await handle.describe()).runId,
    decision: 'approveDeletion',
    args: {},
    person: people.carol,
  });
  const flood = MAX_REFUSED_SIGNALS_RECORDED + 30;
  for (let i = 0; i < flood; i++) await handle.signal(approveDeletionSignal, { token });
  const status = await waitForStatus(
    handle,
    (s) => (s.refusedSignals ?? 0) + (s.refusedSignalsNotRecorded ?? 0) >= flood,
    `${flood} refused signals`,
  );
  expect(status.refusedSignals).toBe(MAX_REFUSED_SIGNALS_RECORDED);
  expect(status.refusedSignalsNotRecorded).toBe(30);
  expect(status.audit.filter((e) => e.outcome === 'refused')).toHaveLength(MAX_REFUSED_SIGNALS_RECORDED);
  expect(status.stage).toBe(OffboardingStage.AwaitingApproval);
  expect(status.decisions).toHaveLength(0);
  await handle.terminate('test done');
});

test('a decision token works once: replayed, it is refused', async () => {
  await setWorkerClusterAccess(h.emulator, false);
  const { handle } = await startOffboard(h, offboardInput(h, 'alice'));
  await waitForStage(handle, OffboardingStage.Blocked, 30_000, 'blocked');
  const token = await signDecisionFor(h, handle, 'retry', { reason: 'try again' }, people.olivia);
  await handle.executeUpdate(retryUpdate, { args: [{ token }] });
  // Still no permission: the retried step blocks again, and the same token is refused this time.
  await waitForStatus(
    handle,
    (s) => s.stage === OffboardingStage.Blocked && s.decisions.length === 1,
    'blocked again after the retry',
  );
  const replay = await handle.executeUpdate(retryUpdate, { args: [{ token }] }).catch((e) => e);
  expect(replay.cause.type).toBe('TokenReplayed');
  await setWorkerClusterAccess(h.emulator, true);
  await decide(h, handle, 'retry', { reason: 'permission back' }, people.olivia);
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  await handle.terminate('test done');
});

test('a departing admin cannot decide on her own offboarding; rescind only by the requester or an admin', async () => {
  const { handle } = await startOffboard(h, offboardInput(h, 'carol'));
  // Carol used a cluster this week: Alibaba refuses the clean without Force, and an admin — not carol — decides.
  await waitForStatus(handle, (s) => s.pendingDecision === 'dependencies', 'the 7-day refusal');
  const ownProceed = await decide(
    h,
    handle,
    'resolveDependencies',
    { decision: 'proceed', reason: 'mine' },
    people.carol,
  ).catch((e) => e);
  expect(ownProceed.cause.type).toBe('OwnOffboarding');
  await decide(h, handle, 'resolveDependencies', { decision: 'proceed', reason: 'she left' }, people.dave);
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  const own = await decide(h, handle, 'rejectDeletion', { reason: 'no', restoreAccess: true }, people.carol).catch(
    (e) => e,
  );
  expect(own.cause.type).toBe('OwnOffboarding');

  const otherHr = { subject: 'hr-ken', name: 'Ken (HR)', roles: ['hr'] };
  const notTheirs = await decide(h, handle, 'rescind', { reason: 'rehired' }, otherHr).catch((e) => e);
  expect(notTheirs.cause.type).toBe('NotAllowed');
  const accepted = await decide(h, handle, 'rescind', { reason: 'rehired' }, people.hrJane);
  expect(accepted.message).toMatch(/rescind by Jane \(HR\) \(hr-jane\) accepted/);
  const result = await handle.result();
  expect(result.stage).toBe(OffboardingStage.Rescinded);
  expect(result.outcome).toMatch(/^rescinded by Jane \(HR\) \(hr-jane\): rehired; access restored/);
  const status = await handle.query(statusQuery);
  expect(status.decisions.map((d) => [d.kind, d.actor])).toEqual([
    ['resolveDependencies', 'dave'],
    ['rescind', 'hr-jane'],
  ]);
});
