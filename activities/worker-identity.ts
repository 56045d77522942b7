import type StsClient from '@alicloud/sts20150401';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../common/errors';
import { identityRef } from '../common/validation';
import { type Redactor, toFailure } from './classify';

/**
 * The worker's own principal, by id. Alibaba refuses to clean the caller's own permissions, and a worker that
 * offboards itself locks every run out; a name comparison misses a renamed user or a role worker whose target is
 * named differently. So the worker asks STS once at start who its credentials are, checks that against its
 * configuration, and every run refuses a target whose uid is this one.
 */
export interface WorkerPrincipal {
  accountId: string;
  /** The RAM user id, or the role id of an assumed role: what a target's uid is compared with. */
  uid: string;
  /** `user/<name>` or `role/<name>`, from the ARN. */
  identity: string;
  arn: string;
}

/** GetCallerIdentity → the principal; the account's root credentials are refused (a worker never runs as root). */
export async function resolveWorkerPrincipal(sts: StsClient, redact: Redactor): Promise<WorkerPrincipal> {
  let body;
  try {
    body = (await sts.getCallerIdentity()).body;
  } catch (err) {
    // No `cause`: the SDK's error carries the request URL; only its classified facts may leave (classify.ts).
    // eslint-disable-next-line preserve-caught-error
    throw new Error(`cannot resolve the worker's own identity: ${toFailure('GetCallerIdentity', err, redact).message}`);
  }
  const accountId = body?.accountId ?? '';
  const arn = body?.arn ?? '';
  if (body?.identityType === 'Account') {
    throw new Error(
      `the worker's credentials are the root account's (${arn}): give the worker its own RAM user or role`,
    );
  }
  // acs:ram::<account>:user/<name> · acs:ram::<account>:assumed-role/<role>/<session>
  const named = /:(user|assumed-role)\/([^/]+)/.exec(arn);
  // An assumed role's principal id is `<roleId>:<session>`.
  const uid = (body?.identityType === 'AssumedRoleUser' ? body.principalId?.split(':')[0] : body?.userId) ?? '';
  if (!accountId || !uid || !named) {
    throw new Error(`GetCallerIdentity answered an identity the worker cannot use: ${body?.identityType} ${arn}`);
  }
  return { accountId, uid, identity: identityRef(named[1] === 'user' ? 'user' : 'role', named[2]), arn };
}

/** What is wrong between the configuration and the credentials, one line per variable (empty when they agree). */
export function checkWorkerPrincipal(
  principal: WorkerPrincipal,
  configured: { accountId: string; workerIdentity: string },
): string[] {
  const problems: string[] = [];
  if (principal.accountId !== configured.accountId) {
    problems.push(
      `OFFBOARD_ACCOUNT_ID: ${configured.accountId}, but the credentials belong to account ${principal.accountId}`,
    );
  }
  if (principal.identity !== configured.workerIdentity) {
    problems.push(
      `OFFBOARD_WORKER_IDENTITY: ${configured.workerIdentity}, but the credentials are ${principal.identity} (uid ${principal.uid})`,
    );
  }
  return problems;
}

/** Refuses a target whose uid is the worker's own, whatever name it was found by. */
export function assertNotWorkerUid(worker: WorkerPrincipal, uid: string, targetRef: string): void {
  if (uid === worker.uid) {
    throw ApplicationFailure.create({
      type: FailureType.TargetIsWorker,
      message: `target ${targetRef} is the worker's own identity (uid ${uid})`,
      nonRetryable: true,
    });
  }
}
