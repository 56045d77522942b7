/**
 * How the run holds the decisions people send before it acts on them (workflows/run/decisions.ts, pending.ts):
 * the rules an admin relies on when two answers arrive close together. Pure: the workflow tests cover the waits.
 */
import { Decisions } from '../../workflows/run/decisions';
import { type MessageArgsByName, type MessageName, type VerifiedDecision } from '../../common/messages';

function decided<N extends MessageName>(name: N, args: MessageArgsByName[N], sub = 'carol'): VerifiedDecision {
  const claims = {
    iss: 'https://idp.test',
    sub,
    name: sub,
    roles: ['admin'],
    iat: 0,
    exp: 1,
    jti: `${name}-${sub}`,
    workflowId: 'offboard/1/user/alice',
    kind: 'decision' as const,
    runId: 'run',
    decision: name,
    args: Object.fromEntries(Object.entries(args)),
  };
  // The mapped type cannot see that `name` and `args` belong together for a generic N.
  return { name, args, claims, token: 'token' } as VerifiedDecision;
}

describe('decisions waiting for the run', () => {
  it('acts on an approval once: taking it clears it', () => {
    const decisions = new Decisions();
    expect(decisions.approval.has()).toBe(false);
    decisions.accept(decided('approveDeletion', { comment: 'ok' }));
    expect(decisions.approval.has()).toBe(true);
    expect(decisions.approval.take()).toMatchObject({ approved: true, comment: 'ok', by: { subject: 'carol' } });
    expect(decisions.approval.has()).toBe(false);
    expect(decisions.approval.take()).toBeUndefined();
  });

  it('acts on the latest answer when a second arrives before the run took the first', () => {
    const decisions = new Decisions();
    decisions.accept(decided('approveDeletion', {}));
    decisions.accept(decided('rejectDeletion', { reason: 'still on call', restoreAccess: true }, 'dave'));
    expect(decisions.approval.take()).toMatchObject({
      approved: false,
      reason: 'still on call',
      by: { subject: 'dave' },
    });
  });

  it.each([
    ['retry then abort', ['retry', 'abort'] as const],
    ['abort then retry', ['abort', 'retry'] as const],
  ])('lets abort win over retry on a Blocked step (%s), and clears both', (_, order) => {
    const decisions = new Decisions();
    for (const name of order) {
      decisions.accept(name === 'abort' ? decided('abort', { reason: 'leaver gone' }) : decided('retry', {}));
    }
    expect(decisions.hasBlockedDecision()).toBe(true);
    expect(decisions.takeBlockedDecision()).toMatchObject({ kind: 'abort', args: { reason: 'leaver gone' } });
    expect(decisions.hasBlockedDecision()).toBe(false);
    expect(decisions.takeBlockedDecision()).toBeUndefined();
  });

  it('retries a Blocked step when only a retry arrived', () => {
    const decisions = new Decisions();
    decisions.accept(decided('retry', {}));
    expect(decisions.takeBlockedDecision()).toEqual({ kind: 'retry' });
  });

  it('keeps each kind of decision in its own slot', () => {
    const decisions = new Decisions();
    decisions.accept(decided('resolveDependencies', { decision: 'proceed', reason: 'the job moved' }));
    decisions.accept(decided('confirmDeletions', { reason: 'checked the list' }, 'erin'));
    expect(decisions.approval.has()).toBe(false);
    expect(decisions.undoApproval.has()).toBe(false);
    expect(decisions.hasBlockedDecision()).toBe(false);
    expect(decisions.dependency.take()).toBe('proceed');
    expect(decisions.failsafeConfirmation.take()).toMatchObject({ reason: 'checked the list', token: 'token' });
  });
});
