import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import { ApiError } from '../api-error';
import { parseBoolean, parseInteger, parseList } from '../param-types';
import { type ResolvedIdentity, resolveUid } from '../state/identities';
import type { ClusterState, WorldState } from '../state/world';

/** CS request parameters (path and query) and the entities they name; each refusal is CS's own error. */

export const invalid = (message: string): ApiError => new ApiError(E.csInvalidParameter, 400, message);

export function boolParam(q: Record<string, string>, name: string): boolean | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  const b = parseBoolean(v);
  if (b === undefined) throw invalid(`${name} must be true or false.`);
  return b;
}

export function intParam(q: Record<string, string>, name: string, min: number, max: number, dflt: number): number {
  const v = q[name];
  if (v === undefined || v === '') return dflt;
  const n = parseInteger(v);
  if (n === undefined || n < min || n > max) throw invalid(`${name} must be an integer from ${min} to ${max}.`);
  return n;
}

/** An Array of String parameter; empty when absent. */
export function listParam(q: Record<string, string>, name: string): string[] {
  const v = q[name];
  if (v === undefined || v === '') return [];
  const list = parseList(v);
  if (list === undefined) throw invalid(`${name} must be a list of strings.`);
  return list;
}

export interface Paging {
  /** From 1. */
  pageNumber: number;
  pageSize: number;
}

/** The page asked for; each operation names its paging parameters and bounds its page size its own way. */
export function pagingParams(
  q: Record<string, string>,
  names: { number: string; size: string },
  maxSize: number,
  defaultSize: number,
): Paging {
  return {
    pageNumber: intParam(q, names.number, 1, 1_000_000, 1),
    pageSize: intParam(q, names.size, 1, maxSize, defaultSize),
  };
}

/** The items of the page, and the page info CS reports with them. */
export function pageOf<T>(
  items: T[],
  { pageNumber, pageSize }: Paging,
): { items: T[]; info: { page_number: number; page_size: number; total_count: number } } {
  return {
    items: items.slice((pageNumber - 1) * pageSize, pageNumber * pageSize),
    info: { page_number: pageNumber, page_size: pageSize, total_count: items.length },
  };
}

export function requireCluster(world: WorldState, id: string): ClusterState {
  const cluster = world.clusters.get(id);
  if (!cluster) throw new ApiError(E.clusterNotFound, 404, `The cluster ${id} was not found.`);
  return cluster;
}

/** What `uid` names in the account, deleted identities included. */
export function requireKnownUid(world: WorldState, uid: string): ResolvedIdentity {
  const who = resolveUid(world, uid);
  // SYNTHETIC code (see common): the real service's answer for a uid foreign to the account is undocumented.
  if (!who) throw new ApiError(E.csUserNotFound, 404, `The user or role ${uid} does not exist in this account.`);
  return who;
}
