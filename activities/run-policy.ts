import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../common/errors';
import { type AccessKeySnapshot, type TargetIdentity } from '../common/types';
import { identityRef } from '../common/validation';
import { type ActivityContext, type ActivityDeps } from './deps';
import { type OffboardActivities } from './types';
import { assertNotWorkerUid } from './worker-identity';

/**
 * The run policy: the one account the worker serves, its own identity that is never a target, the keys whose
 * signatures the run accepts, and the bounds on the run's durations and dates. The workflows read it once per run; the activities enforce the first two again before
 * they touch anything.
 */
export function runPolicyActivities({ deps }: ActivityContext): Pick<OffboardActivities, 'loadRunPolicy'> {
  return {
    async loadRunPolicy() {
      return {
        accountId: deps.accountId,
        workerIdentity: deps.workerIdentity,
        trust: { issuer: deps.trust.issuer, keys: [...deps.trust.keys] },
        timing: deps.timing,
        recycleBinPurge: deps.recycleBinPurge ?? { kind: 'keep' },
      };
    },
  };
}

export function invalidInput(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.InvalidInput, message, nonRetryable: true });
}

export function assertServedAccount(deps: ActivityDeps, accountId: string): void {
  if (accountId !== deps.accountId) {
    throw invalidInput(`accountId ${accountId} is not the account this worker serves (${deps.accountId})`);
  }
}

export function assertNotWorker(deps: ActivityDeps, target: TargetIdentity): void {
  if (identityRef(target.type, target.name) === deps.workerIdentity) {
    throw invalidInput(`target ${identityRef(target.type, target.name)} is the worker's own identity`);
  }
}

/** A user holding the worker's own access key is the worker itself, whatever its name. */
export function assertNotWorkerKey(deps: ActivityDeps, userName: string, accessKeys: AccessKeySnapshot[]): void {
  if (deps.workerAccessKeyId && accessKeys.some((k) => k.accessKeyId === deps.workerAccessKeyId)) {
    throw invalidInput(`target user/${userName} holds the worker's own access key: the worker cannot offboard itself`);
  }
}

/**
 * The uid RAM returned for a target: present, not the root account (`purpose` says what the run would do), and not
 * the worker itself by id (a renamed worker user, a role worker): TargetIsWorker, and the run changes nothing.
 */
export async function checkResolvedUid(
  deps: ActivityDeps,
  uid: string,
  target: TargetIdentity,
  purpose: string,
): Promise<string> {
  if (!uid) {
    throw ApplicationFailure.create({
      type: FailureType.Unexpected,
      message: `no id returned for ${identityRef(target.type, target.name)}`,
      nonRetryable: true,
    });
  }
  if (uid === deps.accountId) throw invalidInput(`target resolves to the root account, which cannot be ${purpose}`);
  assertNotWorkerUid(await deps.worker(), uid, identityRef(target.type, target.name));
  return uid;
}
