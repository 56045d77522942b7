/**
 * The bulk intake's hold, as a piece of logic (the whole path, against Temporal, is test/cli/bulk-held.test.ts), in a
 * world where each start let through is a run on its way until the test makes it arrive at the approval, and where
 * visibility may show a start only some time after it is made. Starts are let through up to the bound and never past
 * it, however late visibility shows them; waiting starts share one count at a time; a request waits until its
 * deadline at most and is then refused with a 503 naming the settings; a failed count refuses the start.
 */
import { Problem } from '../../server/problems';
import { IntakeHold } from '../../server/temporal/intake-hold';

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const settle = () => new Promise((r) => setTimeout(r, 100));

/** The world the hold counts in: `lagMs` is how long a start takes to show in a count. */
function world(options: { onTheirWay?: number; lagMs?: number; limit: number; maxWaitMs?: number }) {
  const state = { startedAt: [] as number[], arrived: 0, counts: 0, most: 0, fail: undefined as Error | undefined };
  for (let i = 0; i < (options.onTheirWay ?? 0); i++) state.startedAt.push(0);
  const hold = new IntakeHold(
    async () => {
      state.counts++;
      if (state.fail) throw state.fail;
      const visible = state.startedAt.filter((t) => t <= Date.now() - (options.lagMs ?? 0)).length;
      return visible - state.arrived;
    },
    { limit: options.limit, maxWaitMs: options.maxWaitMs ?? 10_000, pollMs: 5 },
  );
  const onTheirWay = () => state.startedAt.length - state.arrived;
  const start = (deadline = hold.deadlineFromNow()) =>
    hold.room(deadline).then(() => {
      state.startedAt.push(Date.now());
      state.most = Math.max(state.most, onTheirWay());
    });
  /** `runs` in all have arrived at the approval; waits until `started` starts in all were made, and a moment more. */
  const arrive = async (runs: number, started: number) => {
    state.arrived = runs;
    await until(() => state.startedAt.length === started, `${started} starts made`);
    await settle();
  };
  return { state, hold, start, onTheirWay, arrive };
}

test('lets starts through up to the bound, holds the rest, and lets one more in for each run that arrives', async () => {
  const w = world({ onTheirWay: 1, limit: 3 });
  const starts = [w.start(), w.start(), w.start(), w.start()];
  await w.arrive(0, 3); // two starts let through
  expect(w.onTheirWay()).toBe(3); // the third and fourth wait
  await w.arrive(1, 4); // one more let through
  expect(w.onTheirWay()).toBe(3);
  w.state.arrived = 2;
  await Promise.all(starts);
  expect(w.state.most).toBe(3);
});

test('starts shown late by visibility still count: the bound holds, and waiting starts share one count at a time', async () => {
  const w = world({ limit: 2, lagMs: 300 });
  const starts = Array.from({ length: 6 }, () => w.start());
  await new Promise((r) => setTimeout(r, 600)); // counts taken after the first starts showed
  expect(w.onTheirWay()).toBe(2);
  // Six starts waited 600 ms at a count every 5 ms at most: one count at a time, not one per start.
  expect(w.state.counts).toBeLessThanOrEqual(600 / 5 + 2);
  await w.arrive(2, 4); // two more let through
  expect(w.onTheirWay()).toBe(2);
  w.state.arrived = 6;
  await Promise.all(starts);
  expect(w.state.most).toBe(2);
});

test("a request's starts wait until its deadline at most, then are refused with a 503 naming the settings", async () => {
  const w = world({ onTheirWay: 5, limit: 5, maxWaitMs: 1_500 });
  const deadline = w.hold.deadlineFromNow();
  const results = await Promise.allSettled([w.start(deadline), w.start(deadline)]);
  for (const r of results) {
    expect(r.status).toBe('rejected');
    const err = (r as PromiseRejectedResult).reason as Problem;
    expect(err).toBeInstanceOf(Problem);
    expect(err).toMatchObject({ status: 503, type: 'intake-held' });
    expect(err.detail).toBe(
      "held back: 5 runs of the account are on their way to the approval by visibility's count (OFFBOARD_BATCH_IN_FLIGHT=5); not enough made room within 1500 ms (OFFBOARD_BATCH_HOLD_LIMIT): are the workers running? Nothing was started for this row; send it again later",
    );
  }
  expect(w.state.startedAt).toHaveLength(5);
  // A later request has a deadline of its own, and room once a run arrives.
  w.state.arrived = 1;
  await w.start();
  expect(w.onTheirWay()).toBe(5);
});

test('a count that fails refuses the start (nothing is let through unseen), and the next start counts afresh', async () => {
  const w = world({ limit: 1 });
  w.state.fail = new Error('visibility down');
  await expect(w.start()).rejects.toThrow('visibility down');
  w.state.fail = undefined;
  await expect(w.start()).resolves.toBeUndefined();
  expect(w.state.counts).toBe(2);
});
