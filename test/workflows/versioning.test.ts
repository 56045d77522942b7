/**
 * Worker Versioning, as a deploy meets runs in flight: an offboarding started on build A waits for approval while
 * build B (with a changed offboardIdentity) becomes current; the old run finishes on A, a new run starts and
 * finishes on B, and neither meets a nondeterminism error. A leaked-kubeconfig response (AUTO_UPGRADE) goes to B.
 */
import { randomUUID } from 'node:crypto';
import { type Client } from '@temporalio/client';
import { toCanonicalString, type WorkerDeploymentVersion } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { activitiesFromConfig } from '../../activities/from-config';
import { OffboardingStage } from '../../common/stages';
import { testAddress, testDataConverter, testNamespace } from '../support/temporal';
import { decide, people } from '../support/trust';
import { offboardInput, revokeInput, startOffboard, startRevoke, waitForStage } from './harness';
import { useHarness } from './use-harness';

const h = useHarness('versioning', { inProcessWorker: false });
const connections: NativeConnection[] = [];
const workers: { worker: Worker; running: Promise<void> }[] = [];
afterAll(async () => {
  for (const w of workers) w.worker.shutdown();
  await Promise.all(workers.map((w) => w.running));
  await Promise.all(connections.map((c) => c.close()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startBuild(version: WorkerDeploymentVersion, workflowsPath: string): Promise<void> {
  const connection = await NativeConnection.connect({ address: testAddress() });
  connections.push(connection);
  const worker = await Worker.create({
    connection,
    namespace: testNamespace(),
    taskQueue: h.taskQueue,
    workflowsPath,
    activities: await activitiesFromConfig(h.config),
    dataConverter: testDataConverter(),
    workerDeploymentOptions: { useWorkerVersioning: true, version, defaultVersioningBehavior: 'PINNED' },
  });
  workers.push({ worker, running: worker.run() });
}

/** Waits until the server knows the version, then makes it the deployment's current one, and waits for routing. */
async function makeCurrent(client: Client, version: WorkerDeploymentVersion): Promise<void> {
  const namespace = client.options.namespace;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const d = await client.workflowService
      .describeWorkerDeployment({ namespace, deploymentName: version.deploymentName })
      .catch(() => undefined);
    const seen = d?.workerDeploymentInfo?.versionSummaries?.some((v) => v.version === toCanonicalString(version));
    // Visible before its workers have polled every task queue: the server refuses it as current until then.
    const made =
      d && seen
        ? await client.workflowService
            .setWorkerDeploymentCurrentVersion({
              namespace,
              deploymentName: version.deploymentName,
              version: toCanonicalString(version),
              conflictToken: d.conflictToken,
            })
            .then(
              () => true,
              (err: { code?: number }) => {
                if (err.code === 9) return false; // FAILED_PRECONDITION: missing task queues, not yet
                throw err;
              },
            )
        : false;
    if (made) break;
    if (Date.now() > deadline) throw new Error(`${toCanonicalString(version)} never became visible`);
    await sleep(300);
  }
  for (;;) {
    const d = await client.workflowService.describeWorkerDeployment({
      namespace,
      deploymentName: version.deploymentName,
    });
    const routing = d.workerDeploymentInfo;
    const done =
      routing?.routingConfig?.currentDeploymentVersion?.buildId === version.buildId &&
      routing.routingConfigUpdateState !==
        temporal.api.enums.v1.RoutingConfigUpdateState.ROUTING_CONFIG_UPDATE_STATE_IN_PROGRESS;
    if (done) return;
    if (Date.now() > deadline) throw new Error(`${toCanonicalString(version)} never became current`);
    await sleep(300);
  }
}

/** The build ids of every workflow task the run completed. */
async function buildsOf(client: Client, workflowId: string): Promise<string[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const ids = (history.events ?? [])
    .map((e) => {
      const a = e.workflowTaskCompletedEventAttributes;
      return a?.deploymentVersion?.buildId ?? a?.workerVersion?.buildId ?? undefined;
    })
    .filter((id): id is string => Boolean(id));
  return [...new Set(ids)];
}

test('a run started on build A finishes on A after build B becomes current; new runs go to B', async () => {
  const deploymentName = `offboard-${randomUUID().slice(0, 8)}`;
  const a = { deploymentName, buildId: 'build-a' };
  const b = { deploymentName, buildId: 'build-b' };

  await startBuild(a, require.resolve('../../workflows'));
  await makeCurrent(h.client, a);
  const old = await startOffboard(h, offboardInput(h, 'alice'));
  await waitForStage(old.handle, OffboardingStage.AwaitingApproval, 60_000, 'approval');

  await startBuild(b, require.resolve('./versioning-build-b'));
  await makeCurrent(h.client, b);
  const fresh = await startOffboard(h, offboardInput(h, 'dave'));
  await waitForStage(fresh.handle, OffboardingStage.AwaitingApproval, 60_000, 'approval');
  const leak = await startRevoke(h, revokeInput(h, 'bob'));

  await decide(h, old.handle, 'approveDeletion', {}, people.carol);
  await decide(h, fresh.handle, 'approveDeletion', {}, people.carol);
  expect((await old.handle.result()).stage).toBe(OffboardingStage.Completed);
  expect((await fresh.handle.result()).stage).toBe(OffboardingStage.Completed);
  expect((await leak.handle.result()).stage).toBe(OffboardingStage.Revoked);

  expect(await buildsOf(h.client, old.workflowId)).toEqual(['build-a']);
  expect(await buildsOf(h.client, fresh.workflowId)).toEqual(['build-b']);
  expect(await buildsOf(h.client, leak.workflowId)).toEqual(['build-b']);
  // Build B's change is really in the new run (its first command is the new timer), and not in the old one.
  const firstCommand = async (id: string) =>
    (await h.client.workflow.getHandle(id).fetchHistory()).events?.find(
      (e) => e.timerStartedEventAttributes || e.activityTaskScheduledEventAttributes,
    );
  expect((await firstCommand(fresh.workflowId))?.timerStartedEventAttributes).toBeTruthy();
  expect((await firstCommand(old.workflowId))?.activityTaskScheduledEventAttributes).toBeTruthy();
});
