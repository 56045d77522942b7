import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import { FailureType } from '../../common/errors';

/**
 * What the workflow knows of a failed activity call: its type, message, and the Alibaba operation, code, HTTP status
 * and the service's own words (`serviceMessage`), as evidence for a human.
 */
export interface FailureFacts {
  type: string;
  message: string;
  code?: string;
  operation?: string;
  statusCode?: number;
  serviceMessage?: string;
}

/** The type, message and Alibaba code of whatever an activity call threw. */
export function describeFailure(err: unknown): FailureFacts {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as
      { code?: string; operation?: string; statusCode?: number; message?: string } | undefined;
    return {
      type: cause.type ?? 'ApplicationFailure',
      message: cause.message,
      code: details?.code,
      operation: details?.operation,
      statusCode: details?.statusCode,
      serviceMessage: details?.message,
    };
  }
  if (cause instanceof TimeoutFailure) {
    return { type: 'Timeout', message: `retries exhausted: ${cause.message}` };
  }
  return { type: FailureType.Unexpected, message: err instanceof Error ? err.message : String(err) };
}

/** What a failed step tells on-call to do. */
export function hintFor(type: string): string {
  switch (type) {
    case FailureType.AccessDenied:
      return "fix the worker's permissions";
    case FailureType.Conflict:
      return 'resolve the conflict on the identity in RAM';
    case FailureType.InvalidInput:
      return 'check the request; abort it if it is wrong';
    case FailureType.CleanTaskFailed:
      return 'check the clean task in the ACK console (the retry issues a new clean)';
    case FailureType.UnverifiableCluster:
      return 'make the worker RBAC admin of the cluster, or find why it reports no kubeconfig state';
    case FailureType.IdentityChanged:
      return 'the name now belongs to another identity: abort this run';
    case FailureType.RevocationNotVerified:
      return 'check the kubeconfigs and RBAC grants left on the clusters';
    default:
      return 'check the Alibaba Cloud service and the worker';
  }
}
