/**
 * The worker: `npm run worker`. Reads and validates its configuration, connects to Temporal, runs the workflows and
 * activities on the task queue, and shuts down gracefully on SIGINT/SIGTERM (running activities get
 * OFFBOARD_SHUTDOWN_GRACE to finish; workflow state is durable in Temporal anyway). With OFFBOARD_METRICS_PORT it
 * serves the product's metrics, with OFFBOARD_SDK_METRICS_PORT the Temporal SDK's (README, Metrics); with
 * OTEL_EXPORTER_OTLP_ENDPOINT it exports traces (README, Traces and logs). Everything it prints is a JSON line
 * (worker/json-log.ts), its own lines included, except a configuration error, which stops it before the log exists.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, type TelemetryOptions, Worker } from '@temporalio/worker';
import { activitiesFromConfig } from '../activities/from-config';
import { createMetrics } from '../activities/metrics';
import { notifierFromConfig } from '../activities/notification';
import { dataConverter } from '../config/codec';
import { ConfigError } from '../config/env';
import { describeConfig, loadWorkerConfig, type WorkerConfig } from '../config/worker';
import { temporalClientOptions, temporalConnectionOptions } from '../config/temporal';
import { startTracing } from '../config/telemetry';
import { bundleWorkflows } from '../config/workflow-bundle';
import { jsonLogger, LOG_LEVELS } from './json-log';
import { serveMetrics } from './metrics-server';
import { revocationTimer } from './revocation-timer';
import { startStageCollector } from './stage-gauges';
import { workerTracing } from './tracing';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const log = jsonLogger(LOG_LEVELS[config.logLevel] ?? 'INFO');
  Runtime.install({
    logger: log,
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    telemetryOptions: sdkTelemetry(config),
  });
  log.info('starting', { config: describeConfig(config).split('\n') });
  const tracing = config.telemetry ? startTracing(config.telemetry) : undefined;
  const traced = workerTracing(tracing);
  const metrics = config.metrics ? createMetrics() : undefined;
  const activities = await activitiesFromConfig(config, {
    ...(metrics && { metrics }),
    ...(tracing && { tracer: tracing.tracer }),
    notifier: notifierFromConfig(config, (line, fields) => log.info(line, fields)),
  });
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  const stops: Array<() => Promise<void> | void> = [() => connection.close()];
  // Last: the spans of the last tasks are flushed once the worker has stopped.
  if (tracing) stops.push(() => tracing.shutdown());
  try {
    if (config.metrics && metrics) {
      const server = await serveMetrics(metrics.registry, config.metrics);
      // The stage gauges read visibility through a client of their own: a slow count never delays a task poll.
      const visibility = await Connection.connect(temporalConnectionOptions(config.temporal));
      const collector = startStageCollector({
        client: new Client({ connection: visibility, ...temporalClientOptions(config.temporal) }),
        taskQueue: config.temporal.taskQueue,
        metrics,
        intervalMs: config.metrics.stageIntervalMs,
      });
      stops.unshift(
        () => collector.stop(),
        () => server.close(),
        () => visibility.close(),
      );
      log.info(`metrics on ${server.url}`);
    }
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      activities,
      dataConverter: dataConverter(config.temporal),
      // Without a prebuilt bundle, bundled here rather than by the SDK, which logs webpack's whole report.
      workflowBundle: config.workflowBundlePath ? { codePath: config.workflowBundlePath } : await bundleWorkflows(log),
      sinks: traced.sinks,
      shutdownGraceTime: config.shutdownGraceMs,
      ...(config.workflowCacheSize !== undefined && { maxCachedWorkflows: config.workflowCacheSize }),
      // Versioned: runs stay on the build they started on unless their workflow may move (workflows/index.ts).
      ...(config.deployment && {
        workerDeploymentOptions: {
          useWorkerVersioning: true,
          version: config.deployment,
          defaultVersioningBehavior: 'PINNED' as const,
        },
      }),
      // A nondeterministic change should fail loudly, not leave runs stuck on a retried workflow task.
      workflowFailureErrorTypes: { '*': ['NondeterminismError'] },
      ...(config.taskQueueActivitiesPerSecond && {
        maxTaskQueueActivitiesPerSecond: config.taskQueueActivitiesPerSecond,
      }),
      interceptors: {
        // The workflow interceptors are in the bundle, prebuilt or made at start (config/workflow-bundle.ts).
        activity: [...traced.activityInterceptors, ...(metrics ? [revocationTimer(metrics)] : [])],
      },
    });
    log.info(`polling task queue ${config.temporal.taskQueue}`, { pid: process.pid });
    await worker.run();
    log.info('stopped');
  } finally {
    for (const stop of stops) await stop();
  }
}

/**
 * The Temporal SDK's core (Rust) logs, forwarded to the worker's JSON log (by default they go to stderr as text, with
 * activity task tokens in their fields), and its runtime metrics (`temporal_…`) through its own Prometheus exporter,
 * on a port of their own.
 */
function sdkTelemetry(config: WorkerConfig): TelemetryOptions {
  const logging = { forward: {}, filter: { core: 'WARN', other: 'ERROR' } } as const;
  if (!config.sdkMetrics) return { logging };
  const { host, port } = config.sdkMetrics;
  return { logging, metrics: { prometheus: { bindAddress: `${host.includes(':') ? `[${host}]` : host}:${port}` } } };
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    console.error(`[worker] ${err.message}`);
    process.exit(2);
  }
  jsonLogger('ERROR').error('fatal', { error: err instanceof Error ? err : { message: String(err) } });
  process.exit(1);
});
