/**
 * common/map-bounded.ts: what the bulk start, the sweep's reads and bench:bulk rely on — never more than `limit`
 * tasks at once (Alibaba's and Temporal's quotas), every item done once, the results in the items' order.
 */
import { mapBounded } from '../../common/map-bounded';

/** A task that waits until the test lets it finish, counting how many run at once. */
function gatedTasks() {
  let running = 0;
  let peak = 0;
  const waiting: Array<() => void> = [];
  const task = async (n: number) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise<void>((resolve) => waiting.push(resolve));
    running--;
    return n * 10;
  };
  const releaseAll = async (whileRunning: Promise<unknown>) => {
    let done = false;
    void whileRunning.finally(() => (done = true));
    while (!done) {
      // Finish the running tasks in reverse order of their start, so that a result landing out of place would show.
      for (const resolve of waiting.splice(0).reverse()) resolve();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { task, releaseAll, peak: () => peak };
}

test('runs at most `limit` at once, each item once, results in the items order', async () => {
  const items = Array.from({ length: 23 }, (_, i) => i);
  const { task, releaseAll, peak } = gatedTasks();
  const all = mapBounded(items, 4, task);
  await releaseAll(all);
  expect(await all).toEqual(items.map((n) => n * 10));
  expect(peak()).toBe(4);
});

test('fewer items than the limit: one lane each; none: an empty result', async () => {
  const { task, releaseAll, peak } = gatedTasks();
  const all = mapBounded([1, 2], 8, task);
  await releaseAll(all);
  expect(await all).toEqual([10, 20]);
  expect(peak()).toBe(2);
  expect(await mapBounded([], 8, task)).toEqual([]);
});

test("a task's failure rejects the result with that error", async () => {
  const failing = mapBounded([1, 2, 3], 2, async (n) => {
    if (n === 2) throw new Error('item 2 refused');
    return n;
  });
  await expect(failing).rejects.toThrow('item 2 refused');
});
