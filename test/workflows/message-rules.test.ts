import { checkMessage, type MessageContext } from '../../common/messages';
import { checkOffboardInput } from '../../common/inputs';
import { OffboardingStage } from '../../common/stages';
import { parseDurationMs } from '../../common/validation';

const awaiting: MessageContext = {
  workflow: 'offboardIdentity',
  stage: OffboardingStage.AwaitingApproval,
  pendingDecision: 'approval',
  requestedBy: 'hr-system',
  admins: ['carol', 'dave'],
  deletionStarted: false,
};

test('approveDeletion: admin other than the requester, in AwaitingApproval only', () => {
  expect(checkMessage('approveDeletion', { actor: 'carol' }, awaiting)).toBeNull();
  expect(checkMessage('approveDeletion', { actor: 'carol' }, { ...awaiting, requestedBy: 'carol' })?.type).toBe(
    'FourEyes',
  );
  expect(checkMessage('approveDeletion', { actor: 'eve' }, awaiting)?.type).toBe('NotAnAdmin');
  expect(
    checkMessage(
      'approveDeletion',
      { actor: 'carol' },
      { ...awaiting, stage: OffboardingStage.Quarantine, pendingDecision: null },
    )?.type,
  ).toBe('WrongStage');
  expect(checkMessage('approveDeletion', { actor: 'not valid!' }, awaiting)?.type).toBe('InvalidArgument');
  expect(checkMessage('approveDeletion', undefined, awaiting)?.type).toBe('InvalidArgument');
});

test('rejectDeletion and abort need a reason; resolveDependencies needs a valid decision', () => {
  expect(checkMessage('rejectDeletion', { actor: 'dave', reason: '', restoreAccess: true }, awaiting)?.type).toBe(
    'MissingReason',
  );
  expect(
    checkMessage('rejectDeletion', { actor: 'dave', reason: 'no', restoreAccess: 'yes' as never }, awaiting)?.type,
  ).toBe('InvalidArgument');
  const deps = { ...awaiting, stage: OffboardingStage.DependencyCheck, pendingDecision: 'dependencies' as const };
  expect(checkMessage('resolveDependencies', { actor: 'dave', decision: 'proceed', reason: 'ok' }, deps)).toBeNull();
  expect(
    checkMessage('resolveDependencies', { actor: 'dave', decision: 'maybe' as never, reason: 'ok' }, deps)?.type,
  ).toBe('InvalidArgument');
  expect(
    checkMessage('resolveDependencies', { actor: 'dave', decision: 'proceed', reason: 'ok' }, awaiting)?.type,
  ).toBe('WrongStage');
  const blocked = { ...awaiting, stage: OffboardingStage.Blocked, pendingDecision: 'blocked' as const };
  expect(checkMessage('abort', { actor: 'dave', reason: '  ' }, blocked)?.type).toBe('MissingReason');
  expect(checkMessage('retry', { actor: 'dave' }, blocked)).toBeNull();
  expect(checkMessage('retry', { actor: 'dave' }, awaiting)?.type).toBe('WrongStage');
});

test('rescind: the requester or an admin, with a reason, until Deletion begins', () => {
  expect(checkMessage('rescind', { actor: 'hr-system', reason: 'rehired' }, awaiting)).toBeNull();
  expect(checkMessage('rescind', { actor: 'eve', reason: 'x' }, awaiting)?.type).toBe('NotAllowed');
  expect(
    checkMessage(
      'rescind',
      { actor: 'hr-system', reason: 'x' },
      { ...awaiting, stage: OffboardingStage.Deletion, deletionStarted: true },
    )?.type,
  ).toBe('WrongStage');
  expect(
    checkMessage(
      'rescind',
      { actor: 'hr-system', reason: 'x' },
      { ...awaiting, stage: OffboardingStage.Blocked, deletionStarted: true },
    )?.type,
  ).toBe('WrongStage');
  expect(
    checkMessage('rescind', { actor: 'hr-system', reason: 'x' }, { ...awaiting, workflow: 'revokeKubeconfig' })?.type,
  ).toBe('WrongStage');
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
