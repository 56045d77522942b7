/**
 * The floor's worker (scripts/bench-bulk.ts starts it as it starts the offboarding worker: compiled, with the image's
 * node flags): connected and configured by the same TEMPORAL_* variables, its bundle made with the offboarding's
 * settings (config/workflow-bundle.ts) before it polls, the SDK's default cache, and no codec: the floor measures
 * Temporal, not our payload encryption.
 */
import { DefaultLogger, NativeConnection, Worker } from '@temporalio/worker';
import { loadTemporalConfig, temporalConnectionOptions } from '../../../config/temporal';
import { bundleWorkflows } from '../../../config/workflow-bundle';
import * as activities from './activities';

async function main(): Promise<void> {
  const config = loadTemporalConfig();
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const worker = await Worker.create({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    activities,
    workflowBundle: await bundleWorkflows(new DefaultLogger('WARN'), require.resolve('./workflows')),
  });
  console.log(`floor worker polling task queue ${config.taskQueue}`);
  await worker.run();
  await connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
