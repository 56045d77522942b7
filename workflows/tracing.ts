/**
 * The workflows' tracing interceptors (a workflow interceptor module: the bundle and the worker list it, see
 * WORKFLOW_INTERCEPTOR_MODULES). A run is traced when its start carried a trace context, that is when the client that
 * started it traces (the API with OTEL_EXPORTER_OTLP_ENDPOINT set): then the SDK's OpenTelemetry interceptors make
 * its workflow span, a span per activity it schedules, and pass the context on to the activities in their headers.
 * A run started without one runs exactly as it would without this module: no span, no header, no SDK flag. The
 * interceptors never add a history event either way (spans leave the sandbox through the `exporter` sink, which is
 * not recorded), and whether a run is traced is read from its own first event, so a replay takes the same path.
 */
import {
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowInternalsInterceptor,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

/** The header the SDK's client interceptor puts the trace context in (its TRACE_HEADER). */
const TRACE_HEADER = '_tracer-data';

type OpenTelemetryWorkflow = typeof import('@temporalio/interceptors-opentelemetry/lib/workflow');

/**
 * The SDK's interceptors, loaded by a traced run only. Each run instantiates the modules it loads anew, and these
 * (the OpenTelemetry API, its tracer SDK and semantic conventions) cost an untraced run about 4.5 ms of CPU each time.
 */
function openTelemetryWorkflow(): OpenTelemetryWorkflow {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a static import would load them in every run
  return require('@temporalio/interceptors-opentelemetry/lib/workflow') as OpenTelemetryWorkflow;
}

export const interceptors = (): WorkflowInterceptors => {
  // Made when the run's start is seen to be traced; until then (and for an untraced run, for good) every call
  // passes straight through.
  let traced:
    | {
        inbound: InstanceType<OpenTelemetryWorkflow['OpenTelemetryInboundInterceptor']>;
        outbound: InstanceType<OpenTelemetryWorkflow['OpenTelemetryOutboundInterceptor']>;
        internals: InstanceType<OpenTelemetryWorkflow['OpenTelemetryInternalsInterceptor']>;
      }
    | undefined;

  const inbound: WorkflowInboundCallsInterceptor = {
    execute(input, next) {
      if (!(TRACE_HEADER in input.headers)) return next(input);
      const otel = openTelemetryWorkflow();
      traced = {
        inbound: new otel.OpenTelemetryInboundInterceptor(),
        outbound: new otel.OpenTelemetryOutboundInterceptor(),
        internals: new otel.OpenTelemetryInternalsInterceptor(),
      };
      return traced.inbound.execute(input, next);
    },
    handleSignal: (input, next) => (traced ? traced.inbound.handleSignal(input, next) : next(input)),
    handleUpdate: (input, next) => (traced ? traced.inbound.handleUpdate(input, next) : next(input)),
    validateUpdate: (input, next) => (traced ? traced.inbound.validateUpdate(input, next) : next(input)),
    handleQuery: (input, next) => (traced ? traced.inbound.handleQuery(input, next) : next(input)),
  };

  const outbound: WorkflowOutboundCallsInterceptor = {
    scheduleActivity: (input, next) => (traced ? traced.outbound.scheduleActivity(input, next) : next(input)),
    scheduleLocalActivity: (input, next) => (traced ? traced.outbound.scheduleLocalActivity(input, next) : next(input)),
    startChildWorkflowExecution: (input, next) =>
      traced ? traced.outbound.startChildWorkflowExecution(input, next) : next(input),
    continueAsNew: (input, next) => (traced ? traced.outbound.continueAsNew(input, next) : next(input)),
    signalWorkflow: (input, next) => (traced ? traced.outbound.signalWorkflow(input, next) : next(input)),
    getLogAttributes: (input, next) => (traced ? traced.outbound.getLogAttributes(input, next) : next(input)),
  };

  const internals: WorkflowInternalsInterceptor = {
    dispose: (input, next) => (traced ? traced.internals.dispose(input, next) : next(input)),
  };

  return { inbound: [inbound], outbound: [outbound], internals: [internals] };
};
