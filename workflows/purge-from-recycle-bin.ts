import { sleep, workflowInfo } from '@temporalio/workflow';
import { mayDo } from '../common/roles';
import { verifySignedToken } from '../common/signed-token';
import { OffboardingStage } from '../common/stages';
import { type RunResult } from '../common/types';
import { type PurgeFromRecycleBinInput, purgeWorkflowId } from '../common/undo';
import { describeDecider } from './run/decisions';
import { endRun } from './run/ending';
import { Run } from './run/run';

/**
 * The purge policy `after:<N>d` at work: started by the offboarding that deleted a RAM user (ParentClosePolicy
 * ABANDON: it outlives its parent), it sleeps on a durable timer until the user's RecycleDate + N days, checks that
 * RAM's recycle bin still holds the SAME uid (an undo may have restored it, RAM may have purged it: it then ends saying
 * so), and purges its keys and the user, so that nobody can restore an offboarded identity by hand. Its own audit
 * trail, status query and search attributes, like any run.
 */
export async function purgeFromRecycleBin(input: PurgeFromRecycleBinInput): Promise<RunResult> {
  const run = new Run('purgeFromRecycleBin', input);
  return run.main(async () => {
    await admitPurge(run, input);
    const uid = input.uid;
    run.board.setUid(uid);
    const who = `uid ${uid} (${run.targetRef})`;
    const read = () =>
      run.step('GetUserInRecycleBin', () =>
        run.act('readRecycleBinEntry', `Read ${who} in RAM's recycle bin`, { accountId: input.accountId, uid }),
      );

    const entry = await read();
    if (!entry) return finishGone(run, input, `${who} is not in RAM's recycle bin`);
    const purgeAtMs = Math.min(Date.parse(entry.recycleDate) + input.purgeAfterMs, Date.parse(entry.deleteDate));
    const purgeAt = new Date(purgeAtMs).toISOString();
    run.board.transition(
      OffboardingStage.ScheduledDeletion,
      `${who} is in RAM's recycle bin since ${entry.recycleDate}; purging it at ${purgeAt}`,
    );
    await run.atBoundary();
    if (purgeAtMs > Date.now()) await sleep(purgeAtMs - Date.now());

    // The SAME uid, still in the bin since the same time: a restore (and a later deletion) makes another entry.
    const again = await read();
    if (!again || again.recycleDate !== entry.recycleDate) {
      return finishGone(run, input, `${who} left RAM's recycle bin before its purge date ${purgeAt}`);
    }
    run.board.transition(OffboardingStage.Deletion, `Purging ${who} from RAM's recycle bin: its keys, then the user`);
    const purged = await run.step(
      'DeleteUserInRecycleBin',
      () =>
        run.act('purgeUserFromRecycleBin', `Purge ${who} from RAM's recycle bin`, { accountId: input.accountId, uid }),
      { interruptible: false },
    );
    for (const key of purged.purgedKeys) run.board.audit(`DeleteAccessKeyInRecycleBin ${key}`, 'ok');
    run.board.audit(
      'DeleteUserInRecycleBin',
      purged.changed ? 'ok' : 'info',
      purged.changed ? undefined : 'already gone',
      purged.requestIds,
    );
    return run.finish(
      OffboardingStage.Completed,
      `${who} purged from RAM's recycle bin at ${new Date().toISOString()}${purged.purgedKeys.length > 0 ? ` with its access keys ${purged.purgedKeys.join(', ')}` : ''}: nobody can restore it now`,
    );
  });
}

/** The uid is not (or no longer) in the bin: restored by an undo (then it is live under its name) or purged by RAM. */
async function finishGone(run: Run, input: PurgeFromRecycleBinInput, what: string): Promise<RunResult> {
  const live = await run.step('GetUser', () =>
    run.act('lookUpLiveUser', `Is ${run.targetRef} live?`, { accountId: input.accountId, userName: input.target.name }),
  );
  const why =
    live.uid === input.uid
      ? 'it was restored (an undo): it is live again under its name, and this run purged nothing'
      : 'RAM purged it already (or someone did by hand): nothing left to purge';
  return run.finish(OffboardingStage.AlreadyGone, `${what}: ${why}`);
}

/**
 * A purge is no person's request: it carries its parent's signed request, and runs only as the child of the run that
 * request was signed for (workflowInfo().parent, which only Temporal sets). A purge started by hand — even with a
 * copied request — has no such parent and ends Refused, having purged nothing. The token's time was checked by the
 * parent at its start; the purge may come days later, so only its signature, kind, run and role are checked here.
 */
async function admitPurge(run: Run, input: PurgeFromRecycleBinInput): Promise<void> {
  const info = workflowInfo();
  const policy = await run.act('loadRunPolicy', 'Load the worker identity and the trusted keys from configuration');
  run.trust.load(policy.trust.keys, policy.trust.issuer);
  run.timing = policy.timing;
  run.board.status.trustedKeyIds = policy.trust.keys.map((k) => k.kid);
  const refuse = (why: string): never => {
    run.board.audit('start', 'refused', why, undefined, { actor: 'unverified' });
    return endRun(OffboardingStage.Refused, `refused: ${why}; nothing was purged`);
  };
  const verified = verifySignedToken(input.authorization, run.trust.keys, run.trust.issuer);
  if (!verified.ok) refuse(verified.message);
  const claims = verified.ok ? verified.claims : undefined;
  if (!claims || claims.kind !== 'request' || claims.workflow !== 'offboardIdentity') {
    return refuse("the authorization is not an offboarding's signed request");
  }
  const parent = info.parent;
  if (!parent)
    return refuse(
      'a purge runs only as the child of the offboarding that deleted the user; this one was started by hand',
    );
  if (parent.workflowId !== claims.workflowId) {
    return refuse(`the request was signed for ${claims.workflowId}, and this run's parent is ${parent.workflowId}`);
  }
  const request = claims.request as { accountId?: unknown; target?: { type?: unknown; name?: unknown } };
  if (
    request.accountId !== input.accountId ||
    input.accountId !== policy.accountId ||
    request.target?.type !== 'user' ||
    request.target.name !== input.target.name ||
    input.target.type !== 'user'
  ) {
    return refuse('the input is not the account and user of the signed request');
  }
  if (info.workflowId !== purgeWorkflowId(input.accountId, input.uid)) {
    return refuse(`a purge of uid ${input.uid} runs as ${purgeWorkflowId(input.accountId, input.uid)}`);
  }
  if (!mayDo('startOffboarding', claims.roles)) return refuse(`${claims.sub} may not start offboardings`);
  run.trust.requesterSubject = claims.sub;
  run.board.audit(
    'start',
    'info',
    `child of ${parent.workflowId} (run ${parent.runId}), which ${describeDecider({ subject: claims.sub, name: claims.name })} requested`,
    undefined,
    { actor: 'workflow', token: input.authorization },
  );
}
