/**
 * The worker: `npm run worker`. Reads and validates its configuration, connects to Temporal, runs the workflows and
 * activities on the task queue, and shuts down gracefully on SIGINT/SIGTERM (running activities get
 * OFFBOARD_SHUTDOWN_GRACE to finish; workflow state is durable in Temporal anyway).
 */
import { NativeConnection, Runtime, Worker, DefaultLogger } from '@temporalio/worker';
import { activitiesFromConfig } from '../activities/from-config';
import { dataConverter } from '../config/codec';
import { ConfigError } from '../config/env';
import { describeConfig, loadWorkerConfig } from '../config/worker';
import { temporalConnectionOptions } from '../config/temporal';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: ['SIGINT', 'SIGTERM'] });
  console.log(`[worker] starting\n${describeConfig(config)}`);
  const activities = await activitiesFromConfig(config);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  try {
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
      maxCachedWorkflows: config.workflowCacheSize,
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
    });
    console.log(`[worker] polling task queue ${config.temporal.taskQueue} (pid ${process.pid})`);
    await worker.run();
    console.log('[worker] stopped');
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    console.error(`[worker] ${err.message}`);
    process.exit(2);
  }
  console.error('[worker] fatal:', err instanceof Error ? err.message : err);
  process.exit(1);
});
