import fc from 'fast-check';
import { type JournalEntry } from '../../emulator';
import { useHarness } from '../workflows/use-harness';
import { orderViolations, runSchedule, scheduleArb, type Outcome } from './invariant';

/** CI-bounded; `npx tsx scripts/property-soak.ts --runs 100` runs many more. */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 6);

const h = useHarness('property');

test('the checker itself catches a deletion before verified revocation', () => {
  const uid = '2034000000000002';
  const e = (seq: number, action: string, response?: unknown): JournalEntry =>
    ({ seq, action, outcome: 'success', params: { Uid: uid, UserName: 'alice' }, response }) as unknown as JournalEntry;
  const cleanThenDelete = [e(1, 'CleanUserPermissions', { task_id: 't1' }), e(2, 'DeleteUser')];
  expect(orderViolations(cleanThenDelete, 'alice', uid)).toHaveLength(3);
  expect(orderViolations([e(1, 'DeleteUser')], 'alice', uid)).toHaveLength(1);
  const verified = [
    e(1, 'CleanUserPermissions', { task_id: 't1' }),
    e(2, 'DescribeTaskInfo', { task_id: 't1', state: 'success' }),
    e(3, 'ListUserKubeConfigStates', { states: [{ cert_state: 'Removed' }, { cert_state: 'Unissued' }] }),
    e(4, 'DescribeUserPermission', []),
    e(5, 'DeleteUser'),
  ];
  expect(orderViolations(verified, 'alice', uid)).toEqual([]);
  const stillValid = [
    ...verified.slice(0, 2),
    e(3, 'ListUserKubeConfigStates', { states: [{ cert_state: 'Unexpired' }] }),
    ...verified.slice(3),
  ];
  expect(orderViolations(stillValid, 'alice', uid)).toHaveLength(1);
});

test(`under random fault schedules no identity is deleted before a verified revocation (${RUNS} schedules)`, async () => {
  const outcomes: Outcome[] = [];
  await fc.assert(
    fc.asyncProperty(scheduleArb, async (schedule) => {
      const outcome = await runSchedule(
        {
          client: h.client,
          signer: h.signer,
          taskQueue: h.taskQueue,
          accountId: h.accountId,
          emulatorUrl: h.emulator.url,
          workerIdentity: h.config.alibaba.workerIdentity,
          resetEmulator: async () => h.emulator.reset(),
        },
        schedule,
        60_000,
      );
      outcomes.push(outcome);
      // Safety always; liveness too: faults are bounded, and on-call retries a blocked run after clearing them.
      return outcome.held && outcome.completed && outcome.deletes === 1;
    }),
    { numRuns: RUNS, endOnFailure: true, verbose: true },
  );
  console.log(
    `[property] ${outcomes.length} schedules run, ${outcomes.filter((o) => o.held).length} held, ${outcomes.filter((o) => o.completed).length} completed`,
  );
}, 600_000);
