import { type Tracer } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { type Env } from './env';

/**
 * Tracing's configuration, from OpenTelemetry's own standard variables so that any collector's documentation applies:
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (the full URL spans are posted to) or OTEL_EXPORTER_OTLP_ENDPOINT (a base URL,
 * `/v1/traces` appended) turn tracing on; neither set, or OTEL_SDK_DISABLED=true, and it is off: no exporter, no
 * tracer, no OpenTelemetry code on any call path. Spans go out as OTLP JSON over HTTP(S) (gRPC is not shipped).
 * The SDK itself is loaded only when tracing is on (startTracing), so an untraced process pays nothing at start.
 */

export type ServiceName = 'acs-offboarding-worker' | 'acs-offboarding-server';

export interface TelemetrySettings {
  /** Where the exporter posts spans (OTLP/HTTP JSON). */
  tracesUrl: string;
  /** Headers on each export (OTEL_EXPORTER_OTLP_HEADERS / _TRACES_HEADERS: a collector's key); never printed. */
  headers: Record<string, string>;
  serviceName: ServiceName;
}

/** Reads the tracing variables; a bad one adds a problem naming it and its rule. Undefined: tracing is off. */
export function readTelemetry(env: Env, serviceName: ServiceName, problems: string[]): TelemetrySettings | undefined {
  const disabled = env.OTEL_SDK_DISABLED?.trim().toLowerCase();
  if (disabled !== undefined && disabled !== '' && disabled !== 'true' && disabled !== 'false') {
    problems.push(`OTEL_SDK_DISABLED: must be "true" or "false" (got "${env.OTEL_SDK_DISABLED}")`);
  }
  const tracesEndpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || undefined;
  const baseEndpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || undefined;
  if (disabled === 'true' || (!tracesEndpoint && !baseEndpoint)) return undefined;

  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim();
  if (protocol && protocol !== 'http/json') {
    const name = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL
      ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
      : 'OTEL_EXPORTER_OTLP_PROTOCOL';
    problems.push(`${name}: must be "http/json", the one protocol this build exports (got "${protocol}")`);
  }
  let tracesUrl: string | undefined;
  if (tracesEndpoint) {
    tracesUrl = httpUrlOf(tracesEndpoint, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', problems);
  } else if (baseEndpoint) {
    const base = httpUrlOf(baseEndpoint, 'OTEL_EXPORTER_OTLP_ENDPOINT', problems);
    tracesUrl = base && `${base.replace(/\/+$/, '')}/v1/traces`;
  }
  const headers = {
    ...readHeaders(env, 'OTEL_EXPORTER_OTLP_HEADERS', problems),
    ...readHeaders(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', problems),
  };
  return tracesUrl ? { tracesUrl, headers, serviceName } : undefined;
}

/** One line for the start-up description: where spans go, never the headers' values. */
export function describeTelemetry(settings: TelemetrySettings | undefined): string {
  if (!settings) return 'tracing: off (set OTEL_EXPORTER_OTLP_ENDPOINT to export spans)';
  const headerNames = Object.keys(settings.headers);
  return `tracing: OTLP/HTTP JSON to ${settings.tracesUrl} as ${settings.serviceName}${headerNames.length ? ` (headers ${headerNames.join(',')}: set)` : ''}`;
}

function httpUrlOf(value: string, name: string, problems: string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`${name}: must be an http(s) URL of an OTLP/HTTP receiver (got "${value}")`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(`${name}: must be an http(s) URL of an OTLP/HTTP receiver (got "${value}")`);
    return undefined;
  }
  if (url.username || url.password) {
    // A credential in the URL would be printed with it: it belongs in OTEL_EXPORTER_OTLP_HEADERS.
    problems.push(`${name}: must not carry a user or password; put a collector's key in OTEL_EXPORTER_OTLP_HEADERS`);
    return undefined;
  }
  return value;
}

/** `key1=value1,key2=value2` (W3C baggage form, values URL-encoded), as OpenTelemetry's SDKs read it. */
function readHeaders(env: Env, name: string, problems: string[]): Record<string, string> {
  const raw = env[name]?.trim();
  if (!raw) return {};
  const headers: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    const at = pair.indexOf('=');
    const key = at > 0 ? pair.slice(0, at).trim() : '';
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(key)) {
      // The value may be a secret: the message names the variable and the rule, not what was given.
      problems.push(`${name}: must be comma-separated key=value pairs with header names as keys`);
      return {};
    }
    try {
      headers[key] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      problems.push(`${name}: the value of ${key} is not valid URL-encoding`);
      return {};
    }
  }
  return headers;
}

/** A running tracer: what the interceptors and the Alibaba call spans use; shut down to flush the last spans. */
export interface Tracing {
  settings: TelemetrySettings;
  tracer: Tracer;
  /** The span processor, for the workflow spans that come out of the sandbox through a sink. */
  spanProcessor: SpanProcessor;
  resource: Resource;
  shutdown(): Promise<void>;
}

/**
 * Starts the process's tracer provider (registered globally, with the async-hooks context manager so that a span
 * started inside an activity nests under the activity's span) and its batching OTLP exporter. Loaded on demand: a
 * process with tracing off never requires the SDK.
 */
export function startTracing(settings: TelemetrySettings): Tracing {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on (see the opening comment) */
  const { NodeTracerProvider, BatchSpanProcessor } =
    require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const resources = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const resource = new resources.Resource({ 'service.name': settings.serviceName });
  const exporter = new OTLPTraceExporter({ url: settings.tracesUrl, headers: settings.headers });
  const spanProcessor = new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1_000 });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  return {
    settings,
    tracer: provider.getTracer('acs-offboarding'),
    spanProcessor,
    resource,
    shutdown: () => provider.shutdown(),
  };
}

/**
 * The workflow interceptor modules, for the prebuilt bundle and for a worker that bundles at start alike: the
 * tracing interceptors are always in the bundle (a prebuilt one cannot know the worker's variables) and act only on a
 * run whose start was traced (workflows/tracing.ts).
 */
export const WORKFLOW_INTERCEPTOR_MODULES: string[] = [require.resolve('../workflows/tracing')];

/** The SDK's OpenTelemetry interceptors, loaded when tracing is on (the worker's and the API's client's). */
export function otelInterceptors(): typeof import('@temporalio/interceptors-opentelemetry') {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on (see the opening comment) */
  return require('@temporalio/interceptors-opentelemetry') as typeof import('@temporalio/interceptors-opentelemetry');
  /* eslint-enable @typescript-eslint/no-require-imports */
}
