import { InvalidArgumentError, Option } from 'commander';
import { type TargetIdentity } from '../common/types';
import { checkDeleteNotBefore, PRODUCTION_TIMING } from '../common/timing';
import {
  isNonEmptyText,
  isValidActor,
  isValidClusterId,
  isValidRamName,
  parseDurationMs,
  Rules,
} from '../common/validation';
import { badInput } from './errors';

/**
 * The options that several commands share, their parsers, and the flag checks that run before anything is contacted.
 * The rules are common/'s (the same sentences the API and the workflows use); the CLI only says which flag broke
 * them. What only the API knows (its account, the worker's own identity) it checks, and `flagOfField` names the flag.
 */

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Parses a duration flag (`90s`, `15m`) into milliseconds. */
export function durationArg(value: string): number {
  const ms = parseDurationMs(value);
  if (ms === undefined) throw new InvalidArgumentError(Rules.duration);
  return ms;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
}

export const userOption = () => new Option('--user <name>', 'a RAM user name').conflicts('role');
export const roleOption = () => new Option('--role <name>', 'a RAM role name').conflicts('user');
export const jsonOption = () => new Option('--json', 'print one JSON document on stdout (for scripts)');
export const clusterOption = () =>
  new Option('--cluster <id>', 'limit to this cluster (repeat for several); default: all clusters').argParser(collect);

export interface TargetFlags {
  user?: string;
  role?: string;
}

/** A command that acts on one run names it by RUN (its workflow id) or by the identity whose run it is. */
export interface RunFlags extends TargetFlags {
  run?: string;
}

export function targetFromFlags(flags: TargetFlags): TargetIdentity | undefined {
  if (flags.user !== undefined) {
    if (!isValidRamName(flags.user)) throw badInput(`--user ${JSON.stringify(flags.user)}: ${Rules.userName}`);
    return { type: 'user', name: flags.user };
  }
  if (flags.role !== undefined) {
    if (!isValidRamName(flags.role)) throw badInput(`--role ${JSON.stringify(flags.role)}: ${Rules.roleName}`);
    return { type: 'role', name: flags.role };
  }
  return undefined;
}

export function requireTarget(flags: TargetFlags): TargetIdentity {
  const target = targetFromFlags(flags);
  if (!target) throw badInput('name the identity with --user NAME or --role NAME');
  return target;
}

/** A subject at the identity provider, or a ticket id: the same strict rule (it may stand in a visibility query). */
export function checkActor(flag: string, who: string): string {
  if (!isValidActor(who)) throw badInput(`${flag} ${JSON.stringify(who)}: ${Rules.actor}`);
  return who;
}

export function checkText(flag: string, text: string | undefined, required: boolean): string | undefined {
  if (text === undefined) {
    if (required) throw badInput(`${flag} is required`);
    return undefined;
  }
  if (!isNonEmptyText(text)) throw badInput(`${flag}: ${Rules.text}`);
  return text;
}

export function checkClusters(ids: string[] | undefined): string[] | undefined {
  if (!ids) return undefined;
  for (const id of ids)
    if (!isValidClusterId(id)) throw badInput(`--cluster ${JSON.stringify(id)}: ${Rules.clusterId}`);
  if (new Set(ids).size !== ids.length) throw badInput(`--cluster: ${Rules.clusterIds}`);
  return ids;
}

/** `--delete-not-before`: the API's bounds (an explicit offset, a date that exists, within a year of now). */
export function checkTime(flag: string, value: string | undefined, nowMs: number): string | undefined {
  const problem = checkDeleteNotBefore(value, flag, PRODUCTION_TIMING, nowMs)[0];
  if (problem) throw badInput(`${flag}: ${problem.rule}`);
  return value;
}

/**
 * The flag that sets a field of a request body or query (`target.name`, `clusterIds.0`, `querystring.requestedBy`),
 * for the API's refusals of bad input.
 */
export function flagOfField(field: string, flags: TargetFlags): string {
  const f = field.replace(/^(body|querystring)\./, '');
  if (f.startsWith('target') || f === 'user' || f === 'role') return flags.role !== undefined ? '--role' : '--user';
  if (f.startsWith('clusterIds')) return '--cluster';
  if (f === 'accountId') return "the API's account (OFFBOARD_ACCOUNT_ID of the server)";
  if (f === 'decision') return '--proceed/--abort';
  return `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
