import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import { ApiError } from '../api-error';
import { parseInteger } from '../param-types';

/**
 * RAM's Marker/MaxItems paging over names in sorted order. The marker is opaque to clients (here: the last name
 * returned, base64url-encoded).
 */
export function pageByName<T extends { name: string }>(
  items: Iterable<T>,
  q: Record<string, string>,
  /** The page's list in RAM's `{ Plural: { Singular: [...] } }` wrapping. */
  list: (page: T[]) => Record<string, unknown>,
  /** The largest MaxItems the operation takes (RAM 2015's lists 1000, IMS's recycle bin 100); the default is 100. */
  maxItems = 1000,
): Record<string, unknown> {
  const max = q.MaxItems === undefined || q.MaxItems === '' ? 100 : parseInteger(q.MaxItems);
  if (max === undefined || max < 1 || max > maxItems) {
    throw new ApiError(E.invalidMaxItems, 400, `MaxItems must be an integer from 1 to ${maxItems}.`);
  }
  let after = '';
  if (q.Marker) {
    after = Buffer.from(q.Marker, 'base64url').toString('utf8');
    if (!after.startsWith('n:')) throw new ApiError(E.invalidMarker, 400, 'The Marker is invalid.');
    after = after.slice(2);
  }
  const sorted = [...items].sort((a, b) => (a.name < b.name ? -1 : 1)).filter((x) => x.name > after);
  const page = sorted.slice(0, max);
  const truncated = sorted.length > max;
  return {
    IsTruncated: truncated,
    ...(truncated && { Marker: Buffer.from(`n:${page[page.length - 1].name}`).toString('base64url') }),
    ...list(page),
  };
}
