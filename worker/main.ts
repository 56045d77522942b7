/**
 * The worker: `npm run worker`. Reads and validates its configuration, connects to Temporal, runs the workflows and
 * activities on the task queue, and shuts down gracefully on SIGINT/SIGTERM (running activities get
 * OFFBOARD_SHUTDOWN_GRACE to finish; workflow state is durable in Temporal anyway). With OFFBOARD_METRICS_PORT it
 * serves the product's metrics, with OFFBOARD_SDK_METRICS_PORT the Temporal SDK's (README, Metrics).
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type TelemetryOptions, Worker } from '@temporalio/worker';
import { activitiesFromConfig } from '../activities/from-config';
import { createMetrics } from '../activities/metrics';
import { dataConverter } from '../config/codec';
import { ConfigError } from '../config/env';
import { describeConfig, loadWorkerConfig, type WorkerConfig } from '../config/worker';
import { temporalClientOptions, temporalConnectionOptions } from '../config/temporal';
import { serveMetrics } from './metrics-server';
import { revocationTimer } from './revocation-timer';
import { startStageCollector } from './stage-gauges';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    telemetryOptions: sdkTelemetry(config),
  });
  console.log(`[worker] starting\n${describeConfig(config)}`);
  const metrics = config.metrics ? createMetrics() : undefined;
  const activities = await activitiesFromConfig(config, metrics ? { metrics } : {});
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  const stops: Array<() => Promise<void> | void> = [() => connection.close()];
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
      console.log(`[worker] metrics on ${server.url}`);
    }
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      activities,
      dataConverter: dataConverter(config.temporal),
      ...(config.workflowBundlePath
        ? { workflowBundle: { codePath: config.workflowBundlePath } }
        : { workflowsPath: require.resolve('../workflows') }),
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
      ...(metrics && { interceptors: { activity: [revocationTimer(metrics)] } }),
    });
    console.log(`[worker] polling task queue ${config.temporal.taskQueue} (pid ${process.pid})`);
    await worker.run();
    console.log('[worker] stopped');
  } finally {
    for (const stop of stops) await stop();
  }
}

/** The Temporal SDK's runtime metrics (`temporal_…`) through its own Prometheus exporter, on a port of their own. */
function sdkTelemetry(config: WorkerConfig): TelemetryOptions | undefined {
  if (!config.sdkMetrics) return undefined;
  const { host, port } = config.sdkMetrics;
  return { metrics: { prometheus: { bindAddress: `${host.includes(':') ? `[${host}]` : host}:${port}` } } };
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    console.error(`[worker] ${err.message}`);
    process.exit(2);
  }
  console.error('[worker] fatal:', err instanceof Error ? err.message : err);
  process.exit(1);
});
