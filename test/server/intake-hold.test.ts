/**
 * The bulk intake's hold, as a piece of logic (the whole path, against Temporal, is test/cli/bulk-held.test.ts): starts
 * are let through up to the bound, counting the ones let through since the last count; waiting starts share one count
 * at a time; a start let in never pushes the account past the bound as counted; one that waits too long is refused
 * with a 503 that names the settings, and a failed count refuses too.
 */
import { Problem } from '../../server/problems';
import { IntakeHold } from '../../server/temporal/intake-hold';

/** A count the test sets, and how many times the hold asked for it. */
function countOf(start: number) {
  const state = { onTheirWay: start, asked: 0, fail: undefined as Error | undefined };
  const count = async () => {
    state.asked++;
    if (state.fail) throw state.fail;
    return state.onTheirWay;
  };
  return { state, count };
}

test('lets starts through up to the bound without counting again, then waits until a count shows room', async () => {
  const { state, count } = countOf(1);
  const hold = new IntakeHold(count, { limit: 3, maxWaitMs: 5_000, pollMs: 5 });
  await hold.room();
  await hold.room();
  expect(state.asked).toBe(1); // 1 counted + 2 let through = the bound
  let third = false;
  const waiting = hold.room().then(() => (third = true));
  // The two let through are now on their way (visible in the count): still no room.
  state.onTheirWay = 3;
  await new Promise((r) => setTimeout(r, 50));
  expect(third).toBe(false);
  state.onTheirWay = 2; // one reached the approval
  await waiting;
  expect(third).toBe(true);
});

test('starts waiting at once share one count at a time, and the bound holds while runs arrive', async () => {
  // A world where each start let through is a run on its way until it arrives at the approval.
  const world = { started: 2, arrived: 0, asked: 0, mostOnTheirWay: 0 };
  const hold = new IntakeHold(
    async () => {
      world.asked++;
      return world.started - world.arrived;
    },
    { limit: 2, maxWaitMs: 5_000, pollMs: 5 },
  );
  const start = () =>
    hold.room().then(() => {
      world.started++;
      world.mostOnTheirWay = Math.max(world.mostOnTheirWay, world.started - world.arrived);
    });
  const starts = [start(), start(), start(), start()];
  await new Promise((r) => setTimeout(r, 40));
  expect(world.started).toBe(2);
  // Four starts waited about 40 ms at a count every 5 ms: about eight counts, not 32.
  expect(world.asked).toBeLessThanOrEqual(12);
  world.arrived = 2;
  await new Promise((r) => setTimeout(r, 40));
  expect(world.started).toBe(4); // two more, not four
  world.arrived = 4;
  await Promise.all(starts);
  expect(world.started).toBe(6);
  expect(world.mostOnTheirWay).toBe(2);
});

test('a start that waits longer than its limit is refused with a 503 naming the settings', async () => {
  const { count } = countOf(5);
  const hold = new IntakeHold(count, { limit: 5, maxWaitMs: 60, pollMs: 10 });
  const err = await hold.room().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(Problem);
  expect(err).toMatchObject({ status: 503, type: 'intake-held' });
  expect((err as Problem).detail).toMatch(
    /^held back: 5 of the account's offboardings are on their way to the approval \(OFFBOARD_BATCH_IN_FLIGHT=5\) and none made room within 0 s \(OFFBOARD_BATCH_HOLD_LIMIT\): are the workers running\? Nothing was started for this row/,
  );
});

test('a count that fails refuses the start (nothing is let through unseen), and the next start counts afresh', async () => {
  const { state, count } = countOf(0);
  const hold = new IntakeHold(count, { limit: 1, maxWaitMs: 5_000, pollMs: 5 });
  state.fail = new Error('visibility down');
  await expect(hold.room()).rejects.toThrow('visibility down');
  state.fail = undefined;
  await expect(hold.room()).resolves.toBeUndefined();
  expect(state.asked).toBe(2);
});
