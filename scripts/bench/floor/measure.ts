/**
 * The floor: what the Temporal server and SDK alone cost for N runs of an offboarding's shape (shape.ts), measured on
 * the benchmark's own stack after its bulk run. A plain client (no codec) starts N floor runs, as many at a time as the
 * bulk started, on a task queue of their own served by the floor's worker; they are done when they all show the
 * stage the offboarding runs were waited for, counted the same way.
 */
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { mapBounded } from '../../../common/map-bounded';
import { SearchAttributes } from '../../../common/search-attributes';
import { OffboardingStage } from '../../../common/stages';
import { cpuSeconds } from '../processes';
import type { ProcessStack } from '../process-stack';
import { type FloorStep, shapeOf, untilTheWait } from './shape';

export interface FloorResult {
  steps: FloorStep[];
  /** History events of one floor run (the offboarding run's count, when the shape was read right). */
  events: number;
  wallSeconds: number;
  cpu: { server: number; worker: number };
}

export async function measureFloor(
  stack: ProcessStack,
  options: { runs: number; concurrency: number; sampleWorkflowId: string; pollMs: number; shape?: FloorStep[] },
): Promise<FloorResult> {
  const types = temporal.api.enums.v1.EventType;
  const history = await stack.client.workflow.getHandle(options.sampleWorkflowId).fetchHistory();
  const steps = options.shape ?? shapeOf(history.events ?? [], types);
  const taskQueue = `${stack.taskQueue}-floor`;
  const worker = await stack.startFloorWorker(taskQueue);
  const workerPid = worker.child.pid as number;
  const client = new Client({ connection: stack.client.connection, namespace: stack.config.temporal.namespace });
  const account = `floor-${stack.accountId}`;
  const cpu = () => ({ server: stack.serverPid ? cpuSeconds(stack.serverPid) : NaN, worker: cpuSeconds(workerPid) });
  const cpu0 = cpu();
  const t0 = performance.now();
  await mapBounded(
    Array.from({ length: options.runs }, (_, i) => i),
    options.concurrency,
    async (i) => {
      await client.workflow.start('floorRun', {
        taskQueue,
        workflowId: `floor/${account}/${i}`,
        args: [steps],
        typedSearchAttributes: [
          { key: SearchAttributes.account, value: account },
          { key: SearchAttributes.stage, value: OffboardingStage.Inventory },
        ],
      });
    },
  );
  const query = `${SearchAttributes.account.name} = '${account}' AND ${SearchAttributes.stage.name} = '${OffboardingStage.AwaitingApproval}'`;
  while ((await client.workflow.count(query)).count < options.runs) {
    await new Promise((r) => setTimeout(r, options.pollMs));
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu1 = cpu();
  // The floor means something only if its runs are, to Temporal, what the offboarding runs are (unless a shape was
  // given, to see what another would cost).
  const floorHistory = await client.workflow.getHandle(`floor/${account}/0`).fetchHistory();
  const names = (events: temporal.api.history.v1.IHistoryEvent[]) =>
    untilTheWait(events, types).map((e) => types[e.eventType ?? 0]);
  const want = names(history.events ?? []).join(' ');
  const got = names(floorHistory.events ?? []).join(' ');
  if (!options.shape && got !== want)
    throw new Error(`a floor run's history is not the offboarding run's:\n  run:   ${want}\n  floor: ${got}`);
  const events = floorHistory.events?.length ?? 0;
  return {
    steps,
    events,
    wallSeconds,
    cpu: { server: cpu1.server - cpu0.server, worker: cpu1.worker - cpu0.worker },
  };
}
