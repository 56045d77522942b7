/**
 * Stored histories of earlier runs (test/histories, with its subfolders) replay against today's workflow code: a nondeterministic
 * change to a workflow fails here, in CI, before it can strand running offboardings.
 * Regenerate with `RECORD_HISTORIES=1 npx jest test/workflows` (see test/histories/README.md).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { testDataConverter } from '../support/temporal';

const dir = join(__dirname, '..', 'histories');
// Today's recordings, and those of earlier versions kept in subfolders (a run of theirs may still be open somewhere).
const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));

test('histories are stored for the main scenarios', () => {
  for (const name of [
    'happy-path',
    'blocked-retry',
    'reject-restore',
    'rescind',
    'revoke-kubeconfig',
    'durability-killed-worker',
    'sweep-revoke',
  ]) {
    expect(files).toContain(`${name}.json`);
  }
});

// Recorded with payloads encrypted by the harness's test key, as every run's are.
const dataConverter = testDataConverter();

/**
 * The run's own workflow id: the start request is signed for it, and a replay under another id is refused at
 * admission (WrongRun) and takes another path.
 */
function recordedWorkflowId(history: temporal.api.history.v1.IHistory): string {
  const id = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId;
  if (!id) throw new Error('the history does not start with the workflow id (recorded by an older server?)');
  return id;
}

test.each(files)('%s replays without nondeterminism', async (file) => {
  const codePath = process.env.OFFBOARD_TEST_WORKFLOW_BUNDLE;
  if (!codePath) throw new Error('no workflow bundle from the jest global setup');
  // Stored as the History message's own JSON (fetchHistory() through JSON.stringify); fromObject is its inverse.
  // (The SDK's historyFromJSON path trips over duplicate protobuf modules under jest.)
  const history = temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(join(dir, file), 'utf8')));
  await Worker.runReplayHistory({ workflowBundle: { codePath }, dataConverter }, history, recordedWorkflowId(history));
});

test('the replayer does catch a nondeterministic change (negative control)', async () => {
  const codePath = process.env.OFFBOARD_TEST_WORKFLOW_BUNDLE as string;
  const json = JSON.parse(readFileSync(join(dir, 'happy-path.json'), 'utf8'));
  // As if the code now scheduled a different first activity than the one recorded.
  const first = json.events.find(
    (e: { activityTaskScheduledEventAttributes?: unknown }) => e.activityTaskScheduledEventAttributes,
  );
  first.activityTaskScheduledEventAttributes.activityType.name = 'someOtherActivity';
  const history = temporal.api.history.v1.History.fromObject(json);
  await expect(
    Worker.runReplayHistory({ workflowBundle: { codePath }, dataConverter }, history, recordedWorkflowId(history)),
  ).rejects.toThrow(/[Nn]ondetermin/);
});
