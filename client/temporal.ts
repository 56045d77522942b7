import {
  Client,
  Connection,
  isGrpcDeadlineError,
  isGrpcServiceError,
  ServiceError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { temporalConnectionOptions, type TemporalConfig } from '../config/temporal';
import { CliError, ExitCode } from './errors';

/** How long the CLI waits to connect, and for one query or update to be answered by a worker. */
export const CONNECT_TIMEOUT_MS = 5_000;
export const RPC_TIMEOUT_MS = 15_000;

export const temporalVariablesHint =
  'TEMPORAL_ADDRESS sets the address (host:port), TEMPORAL_NAMESPACE the namespace; TEMPORAL_API_KEY or ' +
  'TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY/TEMPORAL_TLS_CA configure authentication. ' +
  'For a local server: npm run temporal -- start';

export interface TemporalSession {
  client: Client;
  config: TemporalConfig;
  close(): Promise<void>;
}

export async function connectTemporal(config: TemporalConfig): Promise<TemporalSession> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...temporalConnectionOptions(config), connectTimeout: CONNECT_TIMEOUT_MS });
  } catch (err) {
    throw unreachable(config, err);
  }
  const client = new Client({ connection, namespace: config.namespace });
  return { client, config, close: () => connection.close() };
}

function unreachable(config: TemporalConfig, err: unknown): CliError {
  const why = err instanceof Error ? err.message : String(err);
  return new CliError(
    ExitCode.Unreachable,
    `cannot reach Temporal at ${config.address} (TEMPORAL_ADDRESS), namespace ${config.namespace}: ${why}`,
    'TemporalUnreachable',
    temporalVariablesHint,
  );
}

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

/**
 * Maps what the Temporal client threw onto the CLI's exit codes. `what` names the run for the messages.
 * Refusals by an update validator keep their type (FourEyes, NotAnAdmin, WrongStage, …) and message.
 */
export function temporalError(err: unknown, config: TemporalConfig, what: string): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof WorkflowNotFoundError) {
    return new CliError(ExitCode.NotFound, `no run ${what} in namespace ${config.namespace}`, 'NotFound');
  }
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure)
      return new CliError(ExitCode.Refused, cause.message, cause.type ?? 'Refused');
    return new CliError(ExitCode.Refused, cause?.message ?? err.message, 'Refused');
  }
  const grpc = grpcError(err);
  // The server answers a query or update that no worker picks up with "no poller seen for task queue recently".
  const noPoller = grpc?.code === GrpcStatus.FAILED_PRECONDITION && /no poller/i.test(grpc.details);
  const timedOut =
    err instanceof WorkflowUpdateRPCTimeoutOrCancelledError ||
    isGrpcDeadlineError(err) ||
    grpc?.code === GrpcStatus.DEADLINE_EXCEEDED ||
    grpc?.code === GrpcStatus.CANCELLED;
  if (timedOut || noPoller) {
    return new CliError(
      ExitCode.Unreachable,
      `no worker answered (${what})${noPoller ? `: ${grpc?.details}` : ` within ${RPC_TIMEOUT_MS / 1000} s`}`,
      'NoWorker',
      `Queries and decisions need a running worker on the run's task queue (TEMPORAL_TASK_QUEUE, now ${config.taskQueue}). Start one with: npm run worker`,
    );
  }
  const code = grpc?.code;
  if (code === GrpcStatus.UNAVAILABLE || code === GrpcStatus.UNAUTHENTICATED || code === GrpcStatus.PERMISSION_DENIED) {
    return unreachable(config, err);
  }
  if (code === GrpcStatus.NOT_FOUND) {
    return new CliError(ExitCode.NotFound, `${what}: ${(err as Error).message}`, 'NotFound');
  }
  const message = err instanceof Error ? err.message : String(err);
  return new CliError(ExitCode.Unexpected, `${what}: ${message}${grpc ? ` (${grpc.details})` : ''}`, 'Unexpected');
}

/** Runs one RPC that needs a worker (query, update) with a deadline, so that no command hangs without a worker. */
export function withRpcDeadline<T>(session: TemporalSession, fn: () => Promise<T>): Promise<T> {
  return session.client.withDeadline(Date.now() + RPC_TIMEOUT_MS, fn);
}
