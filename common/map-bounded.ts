/**
 * Runs `task` on every item, at most `limit` at once, and resolves with the results in the items' order. Pure (no
 * Node imports), so the server, the activities and the scripts share it; callers that want no results ignore them.
 * A task that fails rejects the result with its error, and its lane stops; the other lanes still go on through the
 * remaining items (callers that must stop early check a flag of their own in `task`).
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
