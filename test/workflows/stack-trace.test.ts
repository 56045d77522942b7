/**
 * What the Temporal UI's "Call Stack" tab shows on-call for a run that waits: the SDK's `__stack_trace` query, made
 * of the stack recorded when each pending promise was created. The sandbox keeps 5 frames a trace
 * (workflows/sandbox-stack-traces.ts, for the worker's CPU), of which the SDK cuts its own hook's: where the run waits
 * must still be there.
 */
import { OffboardingStage } from '../../common/stages';
import { SANDBOX_STACK_TRACE_LIMIT } from '../../workflows/sandbox-stack-traces';
import { offboardInput, resetWorld, startOffboard, waitForStage } from './harness';
import { useHarness } from './use-harness';

const h = useHarness('stack-trace');
beforeEach(() => resetWorld(h, ['alice']));

test("a run waiting for approval shows where it waits in the UI's Call Stack tab, a few frames deep", async () => {
  const { handle } = await startOffboard(h, offboardInput(h, 'alice'));
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  const trace = await handle.query<string>('__stack_trace');
  // The wait (blocking.ts) and the step that waits (the approval), named with their source files.
  expect(trace).toMatch(/at waitFor \(.*workflows\/run\/blocking\.ts:\d+/);
  expect(trace).toMatch(/workflows\/steps\/approval\.ts:\d+/);
  const stacks = trace.split('\n\n').map((s) => s.split('\n').filter((l) => /^\s*at /.test(l)));
  for (const frames of stacks) expect(frames.length).toBeLessThanOrEqual(SANDBOX_STACK_TRACE_LIMIT);
});
