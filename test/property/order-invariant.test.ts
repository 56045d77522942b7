import fc from 'fast-check';
import { type JournalEntry } from '../../emulator';
import { useHarness } from '../workflows/use-harness';
import { aliceOf, outsideWorldOf } from '../workflows/outside-changes';
import { orderViolations, rehireViolations, runSchedule, scheduleArb, type Outcome } from './invariant';

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
  // Access re-issued after the verification: the same chain no longer counts, a new one after it does.
  const reissued = [
    ...verified.slice(0, 4),
    { ...e(5, 'GrantPermissions'), caller: { identity: 'root', uid: '1', accessKeyId: 'k' } },
    e(6, 'DeleteUser'),
  ] as JournalEntry[];
  expect(orderViolations(reissued, 'alice', uid)).toHaveLength(1);
  const again = [
    ...reissued.slice(0, 5),
    e(6, 'CleanUserPermissions', { task_id: 't2' }),
    e(7, 'DescribeTaskInfo', { task_id: 't2', state: 'success' }),
    e(8, 'ListUserKubeConfigStates', { states: [{ cert_state: 'Removed' }] }),
    e(9, 'DescribeUserPermission', []),
    e(10, 'DeleteUser'),
  ];
  expect(orderViolations(again, 'alice', uid)).toEqual([]);
  // A rehire: once the name was created again, nothing the worker removes from it is allowed.
  const bot = { identity: 'user/offboarding-bot', uid: '2034000000000001', accessKeyId: 'k' };
  const rehired = [
    { ...e(1, 'CreateUser'), params: { UserName: 'alice' } },
    { ...e(2, 'RemoveUserFromGroup'), params: { UserName: 'alice', GroupName: 'developers' }, caller: bot },
  ] as JournalEntry[];
  expect(rehireViolations(rehired, 'alice', 'user/offboarding-bot')).toHaveLength(1);
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
          outside: outsideWorldOf(h.emulator),
          alice: aliceOf(h.emulator),
          resetEmulator: async () => h.emulator.reset(),
        },
        schedule,
        60_000,
      );
      outcomes.push(outcome);
      // Safety always; liveness too: faults are bounded, on-call retries a blocked run after clearing them (and aborts
      // it once it blocks on a rehire), and every schedule has one end it must reach.
      return outcome.held && outcome.completed;
    }),
    { numRuns: RUNS, endOnFailure: true, verbose: true },
  );
  console.log(
    `[property] ${outcomes.length} schedules run, ${outcomes.filter((o) => o.held).length} held, ${outcomes.filter((o) => o.completed).length} reached their end`,
  );
}, 600_000);
