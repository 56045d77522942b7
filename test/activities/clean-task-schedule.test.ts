/**
 * How a run follows a clean task (activities/revocation.ts, awaitCleanTask): each look one DescribeTaskInfo, a cheap
 * CS read, never closer than 50 ms nor further than 2 s apart, and the task seen done soon after it ended — within a
 * fifth of its age, 50 ms while it is young — which is what the leak response waits for.
 */
import { nextCleanTaskLookInMs } from '../../activities/revocation';

/** When the activity looks at a task it follows for `forMs` (the first look after 50 ms; a look taking no time). */
function looksWithin(forMs: number): number[] {
  const at = [50];
  while (at[at.length - 1] < forMs) at.push(at[at.length - 1] + nextCleanTaskLookInMs(at[at.length - 1]));
  return at;
}

test('a task is seen done at most a fifth of its age after it ended (50 ms while it is young)', () => {
  for (const endsAt of [1, 50, 120, 299, 300, 301, 777, 1_000, 4_321, 9_999, 12_345, 19_999]) {
    const seenAt = looksWithin(endsAt).find((t) => t >= endsAt) as number;
    expect({ endsAt, late: seenAt - endsAt <= Math.max(50, endsAt / 5) }).toEqual({ endsAt, late: true });
  }
  // The emulator's clean task (300 ms), as Alibaba's might take: seen at its end, after six looks.
  expect(looksWithin(300)).toEqual([50, 100, 150, 200, 250, 300]);
});

test('looks are 50 ms to 2 s apart, so a 20 s try makes at most 30 reads', () => {
  for (let elapsed = 0; elapsed <= 60_000; elapsed += 7) {
    expect(nextCleanTaskLookInMs(elapsed)).toBeGreaterThanOrEqual(50);
    expect(nextCleanTaskLookInMs(elapsed)).toBeLessThanOrEqual(2_000);
  }
  expect(looksWithin(20_000).filter((t) => t <= 20_000)).toHaveLength(30);
});
