/**
 * The floor: what the Temporal server and SDK alone cost for N runs of an offboarding's shape (shape.ts), measured on
 * the benchmark's own stack after its bulk run (on a server that holds the bulk's runs, waiting, with the bulk's
 * worker idle beside it). The floor runs are started as many at a time as the bulk started its own, on a task queue
 * of their own served by the floor's worker; they are done when they all show the stage the offboarding runs were
 * waited for, counted the same way.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@temporalio/client';
import { mapBounded } from '../../../common/map-bounded';
import { cpuSeconds, ownCpuSeconds } from '../processes';
import type { ProcessStack } from '../process-stack';
import { eventTypeNames, type FloorStep, shapeOf, untilTheWait } from './shape';
import { atTheApprovalQuery, floorAccount, floorWorkflowId, startFloorRun } from './start';

export interface FloorResult {
  steps: FloorStep[];
  /** History events of one floor run (the offboarding run's count, when the shape was read right). */
  events: number;
  wallSeconds: number;
  /** CPU seconds: the server, the floor's worker, and this process (the starts and counts). */
  cpu: { server: number; worker: number; bench: number };
}

export async function measureFloor(
  stack: ProcessStack,
  options: {
    runs: number;
    concurrency: number;
    sampleWorkflowId: string;
    pollMs: number;
    /** Given up after this long, naming how many runs got there. */
    deadlineMs: number;
    /** Another shape than the sample's, to see what it would cost. */
    shape?: FloorStep[];
  },
): Promise<FloorResult> {
  const history = (await stack.client.workflow.getHandle(options.sampleWorkflowId).fetchHistory()).events ?? [];
  const steps = options.shape ?? shapeOf(history);
  const taskQueue = `${stack.taskQueue}-floor`;
  const worker = await stack.startFloorWorker(taskQueue);
  const workerPid = worker.child.pid as number;
  // No codec: the floor runs' payloads are not ours to encrypt.
  const client = new Client({ connection: stack.client.connection, namespace: stack.config.temporal.namespace });
  const account = floorAccount(stack.accountId);
  const cpu = () => ({
    server: stack.serverPid ? cpuSeconds(stack.serverPid) : NaN,
    worker: cpuSeconds(workerPid),
    bench: ownCpuSeconds(),
  });
  const cpu0 = cpu();
  const t0 = performance.now();
  await mapBounded(
    Array.from({ length: options.runs }, (_, index) => index),
    options.concurrency,
    (index) => startFloorRun(client, { taskQueue, account, index, steps }),
  );
  const query = atTheApprovalQuery(account);
  for (;;) {
    const { count } = await client.workflow.count(query);
    if (count >= options.runs) break;
    if (performance.now() - t0 > options.deadlineMs) {
      throw new Error(
        `the floor: ${count} of ${options.runs} runs done after ${(options.deadlineMs / 1000).toFixed(0)} s; the floor worker said:\n${worker.output().slice(-2000)}`,
      );
    }
    await sleep(options.pollMs);
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu1 = cpu();
  const floorHistory = (await client.workflow.getHandle(floorWorkflowId(account, 0)).fetchHistory()).events ?? [];
  // The floor means something only if its runs are, to Temporal, what the offboarding runs are (unless a shape was
  // given, to see what another would cost).
  const want = eventTypeNames(untilTheWait(history)).join(' ');
  const got = eventTypeNames(untilTheWait(floorHistory)).join(' ');
  if (!options.shape && got !== want) {
    throw new Error(`a floor run's history is not the offboarding run's:\n  run:   ${want}\n  floor: ${got}`);
  }
  return {
    steps,
    events: floorHistory.length,
    wallSeconds,
    cpu: { server: cpu1.server - cpu0.server, worker: cpu1.worker - cpu0.worker, bench: cpu1.bench - cpu0.bench },
  };
}
