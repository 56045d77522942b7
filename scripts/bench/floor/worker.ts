/**
 * The floor's worker (scripts/bench-bulk.ts starts it as it starts the offboarding worker: compiled, with the image's
 * node flags): the workflow bundle made as the offboarding's is (config/workflow-bundle.ts), the SDK's default cache,
 * no codec. TEMPORAL_ADDRESS and FLOOR_TASK_QUEUE configure it.
 */
import { DefaultLogger, NativeConnection, Worker } from '@temporalio/worker';
import { bundleWorkflows } from '../../../config/workflow-bundle';
import * as activities from './activities';

async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS;
  const taskQueue = process.env.FLOOR_TASK_QUEUE;
  if (!address || !taskQueue) throw new Error('TEMPORAL_ADDRESS and FLOOR_TASK_QUEUE must be set');
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    activities,
    workflowBundle: await bundleWorkflows(new DefaultLogger('WARN'), require.resolve('./workflows')),
  });
  console.log(`floor worker polling task queue ${taskQueue}`);
  await worker.run();
  await connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
