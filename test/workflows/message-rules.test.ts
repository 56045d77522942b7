/**
 * The rules of decisions and starts, as pure functions (common/messages.ts, common/requests.ts): every token is made
 * by the API's own signer; forgeries are made the ways an attacker with raw Temporal access could.
 */
import { checkMessage, type MessageContext } from '../../common/messages';
import { checkStartRequest, type RequestContext, unsignedRequest } from '../../common/requests';
import { checkOffboardInput } from '../../common/inputs';
import { OffboardingStage } from '../../common/stages';
import { type OffboardIdentityInput } from '../../common/types';
import { parseDurationMs } from '../../common/validation';
import { DEFAULT_TOKEN_ISSUER, generateSigningKey, trustedKeysOf } from '../../config/trust-keys';
import { createTokenSigner, type Person, type TokenSigner } from '../../server/signer';
import { people } from '../support/trust';

const key = generateSigningKey('k1');
const keys = trustedKeysOf([key]);
let signer: TokenSigner;
let otherSigner: TokenSigner;
beforeAll(async () => {
  signer = await createTokenSigner([key], DEFAULT_TOKEN_ISSUER);
  // Same key id, another key: what a forger without the API's private key can make.
  otherSigner = await createTokenSigner([generateSigningKey('k1')], DEFAULT_TOKEN_ISSUER);
});

const run = { workflowId: 'offboard/1234567890123456/user/alice', runId: 'run-1' };
const awaiting: MessageContext = {
  workflow: 'offboardIdentity',
  ...run,
  stage: OffboardingStage.AwaitingApproval,
  pendingDecision: 'approval',
  requesterSubject: 'hr-jane',
  target: { type: 'user', name: 'alice' },
  deletionStarted: false,
  keys,
  issuer: DEFAULT_TOKEN_ISSUER,
  nowMs: Date.now(),
  seen: () => false,
};
const blocked = { ...awaiting, stage: OffboardingStage.Blocked, pendingDecision: 'blocked' as const };
const deps = { ...awaiting, stage: OffboardingStage.DependencyCheck, pendingDecision: 'dependencies' as const };

const approve = (person: Person, s = signer, comment?: string) =>
  s.signDecision({ ...run, decision: 'approveDeletion', args: { comment }, person });

function refusal(result: ReturnType<typeof checkMessage>): string | undefined {
  return result.ok ? undefined : result.refusal.type;
}

test('approveDeletion: accepted from an admin other than the requester and the target, in AwaitingApproval', async () => {
  const result = checkMessage(
    'approveDeletion',
    { token: await approve(people.carol, signer, 'ok per HR-1') },
    awaiting,
  );
  expect(result.ok).toBe(true);
  if (!result.ok) return;
  expect(result.decision.claims.sub).toBe('carol');
  expect(result.decision.args.comment).toBe('ok per HR-1');
  const quarantine = { ...awaiting, stage: OffboardingStage.Quarantine, pendingDecision: null };
  expect(refusal(checkMessage('approveDeletion', { token: await approve(people.carol) }, quarantine))).toBe(
    'WrongStage',
  );
});

test('roles, four eyes on subjects, and nobody decides on their own offboarding', async () => {
  expect(refusal(checkMessage('approveDeletion', { token: await approve(people.bob) }, awaiting))).toBe('NotAnAdmin');
  expect(refusal(checkMessage('approveDeletion', { token: await approve(people.hrJane) }, awaiting))).toBe(
    'NotAnAdmin',
  );
  // The requester under another display name is still the requester.
  const janeAsAdmin = { subject: 'hr-jane', name: 'J. Doe (admin account)', roles: ['admin', 'hr'] };
  expect(refusal(checkMessage('approveDeletion', { token: await approve(janeAsAdmin) }, awaiting))).toBe('FourEyes');
  // A departing admin cannot approve or reject her own deletion.
  const carolLeaves = { ...awaiting, target: { type: 'user' as const, name: 'carol' } };
  expect(refusal(checkMessage('approveDeletion', { token: await approve(people.carol) }, carolLeaves))).toBe(
    'OwnOffboarding',
  );
  const reject = await signer.signDecision({
    ...run,
    decision: 'rejectDeletion',
    args: { reason: 'keep me', restoreAccess: true },
    person: people.carol,
  });
  expect(refusal(checkMessage('rejectDeletion', { token: reject }, carolLeaves))).toBe('OwnOffboarding');
  expect(checkMessage('rejectDeletion', { token: reject }, awaiting).ok).toBe(true);
});

test('forged, altered, expired, misdirected and replayed tokens are refused', async () => {
  expect(refusal(checkMessage('approveDeletion', { token: await approve(people.carol, otherSigner) }, awaiting))).toBe(
    'TokenInvalid',
  );
  // Altered payload: dave's valid token with the subject changed keeps dave's signature, which no longer verifies.
  const [h, p, sig] = (await approve(people.dave)).split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  const altered = `${h}.${Buffer.from(JSON.stringify({ ...claims, roles: ['admin', 'security'] })).toString('base64url')}.${sig}`;
  expect(refusal(checkMessage('approveDeletion', { token: altered }, awaiting))).toBe('TokenInvalid');
  expect(refusal(checkMessage('approveDeletion', { token: 'not.a.token' }, awaiting))).toBe('TokenInvalid');
  expect(refusal(checkMessage('approveDeletion', { actor: 'carol' }, awaiting))).toBe('InvalidArgument');
  expect(refusal(checkMessage('approveDeletion', undefined, awaiting))).toBe('InvalidArgument');

  const token = await approve(people.carol);
  expect(refusal(checkMessage('approveDeletion', { token }, { ...awaiting, nowMs: Date.now() + 3_600_000 }))).toBe(
    'TokenExpired',
  );
  expect(refusal(checkMessage('approveDeletion', { token }, { ...awaiting, runId: 'run-2' }))).toBe('WrongRun');
  expect(
    refusal(
      checkMessage('approveDeletion', { token }, { ...awaiting, workflowId: 'offboard/1234567890123456/user/bob' }),
    ),
  ).toBe('WrongRun');
  expect(refusal(checkMessage('rejectDeletion', { token }, awaiting))).toBe('WrongRun');
  expect(refusal(checkMessage('approveDeletion', { token }, { ...awaiting, seen: () => true }))).toBe('TokenReplayed');
  expect(refusal(checkMessage('approveDeletion', { token }, { ...awaiting, issuer: 'someone-else' }))).toBe(
    'TokenInvalid',
  );
});

test('arguments: reasons, restoreAccess and the dependency decision are checked from the signed args', async () => {
  const sign = (
    decision: 'rejectDeletion' | 'resolveDependencies' | 'abort' | 'retry',
    args: object,
    person: Person = people.dave,
  ) => signer.signDecision({ ...run, decision, args: args as never, person });
  expect(
    refusal(
      checkMessage(
        'rejectDeletion',
        { token: await sign('rejectDeletion', { reason: '', restoreAccess: true }) },
        awaiting,
      ),
    ),
  ).toBe('MissingReason');
  expect(
    refusal(
      checkMessage(
        'rejectDeletion',
        { token: await sign('rejectDeletion', { reason: 'no', restoreAccess: 'yes' }) },
        awaiting,
      ),
    ),
  ).toBe('InvalidArgument');
  expect(
    checkMessage(
      'resolveDependencies',
      { token: await sign('resolveDependencies', { decision: 'proceed', reason: 'ok' }) },
      deps,
    ).ok,
  ).toBe(true);
  expect(
    refusal(
      checkMessage(
        'resolveDependencies',
        { token: await sign('resolveDependencies', { decision: 'maybe', reason: 'ok' }) },
        deps,
      ),
    ),
  ).toBe('InvalidArgument');
  expect(refusal(checkMessage('abort', { token: await sign('abort', { reason: '  ' }) }, blocked))).toBe(
    'MissingReason',
  );
  // On-call may retry and abort; HR may not.
  expect(checkMessage('retry', { token: await sign('retry', {}, people.olivia) }, blocked).ok).toBe(true);
  expect(refusal(checkMessage('retry', { token: await sign('retry', {}, people.hrJane) }, blocked))).toBe(
    'MissingRole',
  );
  expect(refusal(checkMessage('retry', { token: await sign('retry', {}) }, awaiting))).toBe('WrongStage');
});

test('rescind: the requesting subject or an admin, with a reason, until Deletion begins', async () => {
  const rescind = (person: Person) =>
    signer.signDecision({ ...run, decision: 'rescind', args: { reason: 'rehired' }, person });
  expect(checkMessage('rescind', { token: await rescind(people.hrJane) }, awaiting).ok).toBe(true);
  expect(checkMessage('rescind', { token: await rescind(people.dave) }, awaiting).ok).toBe(true);
  const otherHr = { subject: 'hr-ken', name: 'Ken (HR)', roles: ['hr'] };
  expect(refusal(checkMessage('rescind', { token: await rescind(otherHr) }, awaiting))).toBe('NotAllowed');
  expect(refusal(checkMessage('rescind', { token: await rescind(people.sam) }, awaiting))).toBe('MissingRole');
  expect(
    refusal(
      checkMessage(
        'rescind',
        { token: await rescind(people.hrJane) },
        { ...awaiting, stage: OffboardingStage.Deletion, deletionStarted: true },
      ),
    ),
  ).toBe('WrongStage');
  expect(
    refusal(
      checkMessage('rescind', { token: await rescind(people.hrJane) }, { ...awaiting, workflow: 'revokeKubeconfig' }),
    ),
  ).toBe('WrongStage');
});

describe('a start needs a request signed for exactly this input, by someone with the role', () => {
  const input = (): Omit<OffboardIdentityInput, 'authorization'> => ({
    accountId: '1234567890123456',
    target: { type: 'user', name: 'alice' },
    requestedBy: 'hr-jane',
    reason: 'departure',
  });
  const ctx: RequestContext = {
    workflow: 'offboardIdentity',
    workflowId: run.workflowId,
    startedAtMs: Date.now(),
    keys,
    issuer: DEFAULT_TOKEN_ISSUER,
  };
  const signed = async (person: Person = people.hrJane, request = input()) => ({
    ...request,
    authorization: await signer.signRequest({
      workflow: 'offboardIdentity',
      workflowId: run.workflowId,
      request,
      person,
    }),
  });

  test('accepted as signed', async () => {
    const i = await signed();
    expect(unsignedRequest(i)).toEqual(input());
    expect(checkStartRequest(i, ctx)).toMatchObject({ ok: true, claims: { sub: 'hr-jane' } });
  });

  test('refused: no token, another input, another requester, no hr role, another workflow, too late', async () => {
    const verdict = (i: OffboardIdentityInput, c = ctx) => {
      const v = checkStartRequest(i, c);
      return v.ok ? 'ok' : v.refusal;
    };
    expect(verdict({ ...input(), authorization: undefined as never })).toBe('TokenInvalid');
    expect(verdict({ ...(await signed()), reason: 'compromise' })).toBe('WrongRun');
    expect(verdict({ ...(await signed()), clusterIds: ['c-prod-1'] })).toBe('WrongRun');
    expect(verdict(await signed(people.carol))).toBe('WrongRun'); // requestedBy hr-jane, signed for carol
    expect(verdict(await signed(people.sam, { ...input(), requestedBy: 'sam' }))).toBe('MissingRole');
    expect(verdict(await signed(), { ...ctx, workflow: 'revokeKubeconfig' })).toBe('WrongRun');
    expect(verdict(await signed(), { ...ctx, startedAtMs: Date.now() + 3_600_000 })).toBe('TokenExpired');
  });
});

test('inputs: each problem names its field and rule', () => {
  const problems = checkOffboardInput({
    accountId: '12',
    target: { type: 'group', name: '' },
    requestedBy: 'a b',
    reason: 'x',
    deleteNotBefore: 'tomorrow',
    approvalExpiresAfter: '-1s',
  });
  expect(problems.map((p) => p.field)).toEqual([
    'accountId',
    'target.type',
    'target.name',
    'requestedBy',
    'reason',
    'deleteNotBefore',
    'approvalExpiresAfter',
  ]);
  expect(parseDurationMs('7d')).toBe(604_800_000);
  expect(parseDurationMs('1.5s')).toBe(1_500);
  expect(parseDurationMs(0)).toBeUndefined();
});
