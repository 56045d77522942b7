import type { ApiError } from '../api-error';

/**
 * Adding to and removing from an entity's lists (its keys, groups, policies), with the conflict or not-found error
 * RAM gives for each.
 */

/** Appends `item` unless an item `matches` already; throws `exists()` then. */
export function addOnce<T>(list: T[], matches: (item: T) => boolean, item: T, exists: () => ApiError): void {
  if (list.some(matches)) throw exists();
  list.push(item);
}

/** Removes the first item that `matches`; throws `notFound()` when there is none. */
export function removeOne<T>(list: T[], matches: (item: T) => boolean, notFound: () => ApiError): void {
  const i = list.findIndex(matches);
  if (i < 0) throw notFound();
  list.splice(i, 1);
}
