import {
  isGrpcDeadlineError,
  isGrpcServiceError,
  ServiceError,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ApplicationFailure, TimeoutFailure, WorkflowNotFoundError } from '@temporalio/common';
import { type TemporalConfig } from '../../config/temporal';
import { notFound, Problem, ProblemType, refusedByRun } from '../problems';

/**
 * What the Temporal client threw, as the API's problems: a run's refusal (an update validator's ApplicationFailure)
 * keeps its type and message as a 409; no worker within the deadline, or Temporal unreachable, is a 503; anything
 * else is a 500 whose details stay in the server's log.
 */

/** How long one query or update may wait for a worker before the API answers "no worker answered". */
export const RPC_TIMEOUT_MS = 15_000;

// gRPC status codes (the numbers are part of the gRPC spec; @grpc/grpc-js is not our direct dependency).
const GrpcStatus = {
  CANCELLED: 1,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  FAILED_PRECONDITION: 9,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

function grpcError(err: unknown): { code: number; details: string } | undefined {
  if (isGrpcServiceError(err)) return { code: err.code, details: err.details };
  if (err instanceof ServiceError && isGrpcServiceError(err.cause))
    return { code: err.cause.code, details: err.cause.details };
  return undefined;
}

export function temporalUnavailable(config: TemporalConfig, err: unknown): Problem {
  const why = err instanceof Error ? err.message : String(err);
  return new Problem(
    503,
    ProblemType.TemporalUnavailable,
    `cannot reach Temporal at ${config.address}, namespace ${config.namespace}: ${why}`,
  );
}

export function noWorker(config: TemporalConfig, what: string, details?: string): Problem {
  return new Problem(
    503,
    ProblemType.NoWorker,
    `no worker answered (${what})${details ? `: ${details}` : ` within ${RPC_TIMEOUT_MS / 1000} s`}; ` +
      `queries, decisions and plans need a running worker on task queue ${config.taskQueue}`,
  );
}

/** Maps an error of the Temporal client; `what` names the run or the call for the message. */
export function temporalProblem(err: unknown, config: TemporalConfig, what: string): Problem {
  if (err instanceof Problem) return err;
  if (err instanceof WorkflowNotFoundError) return notFound(`no run ${what} in namespace ${config.namespace}`);
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) return refusedByRun(cause.type ?? 'Refused', cause.message);
    return refusedByRun('Refused', cause?.message ?? err.message);
  }
  if (err instanceof WorkflowFailedError && err.cause instanceof TimeoutFailure) return noWorker(config, what);
  const grpc = grpcError(err);
  // The server answers a query or update that no worker picks up with "no poller seen for task queue recently".
  const noPoller = grpc?.code === GrpcStatus.FAILED_PRECONDITION && /no poller/i.test(grpc.details);
  const timedOut =
    err instanceof WorkflowUpdateRPCTimeoutOrCancelledError ||
    isGrpcDeadlineError(err) ||
    grpc?.code === GrpcStatus.DEADLINE_EXCEEDED ||
    grpc?.code === GrpcStatus.CANCELLED;
  if (timedOut || noPoller) return noWorker(config, what, noPoller ? grpc?.details : undefined);
  const code = grpc?.code;
  if (code === GrpcStatus.UNAVAILABLE || code === GrpcStatus.UNAUTHENTICATED || code === GrpcStatus.PERMISSION_DENIED) {
    return temporalUnavailable(config, err);
  }
  if (code === GrpcStatus.NOT_FOUND) return notFound(`${what}: ${(err as Error).message}`);
  throw err; // the error handler logs it and answers 500
}
