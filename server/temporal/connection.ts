import { Client, Connection, type WorkflowClientInterceptor } from '@temporalio/client';
import { otelInterceptors, type Tracing } from '../../config/telemetry';
import { temporalClientOptions, temporalConnectionOptions, type TemporalConfig } from '../../config/temporal';
import { temporalUnavailable } from './errors';

/** How long the API waits to connect to Temporal before it answers 503. */
export const CONNECT_TIMEOUT_MS = 5_000;

/**
 * The API's one Temporal client, connected on first use: the server starts (and answers 503 for what needs Temporal)
 * while Temporal is down, and connects as soon as it is back. A connection that was made reconnects by itself. With
 * tracing on, every start, signal, update and query it sends is a span whose context travels to the run in its
 * headers: a start from the API is the root of the run's trace (client → workflow → activity → Alibaba call).
 */
export class TemporalGateway {
  private connecting?: Promise<{ client: Client; connection: Connection }>;

  private readonly interceptors: WorkflowClientInterceptor[];

  constructor(
    readonly config: TemporalConfig,
    tracing?: Tracing,
  ) {
    this.interceptors = tracing ? [tracingClientInterceptor(tracing)] : [];
  }

  async client(): Promise<Client> {
    this.connecting ??= Connection.connect({
      ...temporalConnectionOptions(this.config),
      connectTimeout: CONNECT_TIMEOUT_MS,
    }).then((connection) => ({
      connection,
      client: new Client({
        connection,
        ...temporalClientOptions(this.config),
        interceptors: { workflow: this.interceptors },
      }),
    }));
    try {
      return (await this.connecting).client;
    } catch (err) {
      this.connecting = undefined; // try again on the next request
      throw temporalUnavailable(this.config, err);
    }
  }

  async close(): Promise<void> {
    const open = this.connecting;
    this.connecting = undefined;
    await open?.then(({ connection }) => connection.close()).catch(() => undefined);
  }
}

/** The SDK's client interceptor, loaded only when tracing is on (as the SDK itself, config/telemetry.ts). */
function tracingClientInterceptor(tracing: Tracing): WorkflowClientInterceptor {
  const otel = otelInterceptors();
  return new otel.OpenTelemetryWorkflowClientInterceptor({ tracer: tracing.tracer });
}
