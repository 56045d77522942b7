import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import { type ActivityInterceptorsFactory, type InjectedSinks } from '@temporalio/worker';
import { otelInterceptors, type Tracing } from '../config/telemetry';

/**
 * What tracing adds to the worker (config/telemetry.ts): the SDK's activity interceptors, which continue the trace the
 * workflow passed in the activity's headers (and put trace ids on the activity's log lines), and the `exporter` sink
 * through which the workflow spans made in the sandbox (workflows/tracing.ts) reach the process's span processor.
 * Off, the sink is still there and drops what it gets: a run started by a tracing client, on a worker that does not
 * trace, must not fill the log with "unregistered sink" errors.
 */
export function workerTracing(tracing: Tracing | undefined): {
  activityInterceptors: ActivityInterceptorsFactory[];
  sinks: InjectedSinks<OpenTelemetrySinks>;
} {
  if (!tracing) return { activityInterceptors: [], sinks: { exporter: { export: { fn: () => undefined } } } };
  const otel = otelInterceptors();
  const options = { tracer: tracing.tracer };
  return {
    activityInterceptors: [
      (ctx) => ({
        inbound: new otel.OpenTelemetryActivityInboundInterceptor(ctx, options),
        outbound: new otel.OpenTelemetryActivityOutboundInterceptor(ctx),
      }),
    ],
    sinks: { exporter: otel.makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}
