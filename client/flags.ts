import { InvalidArgumentError, Option } from 'commander';
import { type InputProblem } from '../common/errors';
import { type TargetIdentity } from '../common/types';
import {
  isNonEmptyText,
  isValidActor,
  isValidClusterId,
  isValidRamName,
  parseDurationMs,
  Rules,
} from '../common/validation';
import { badInput, CliError } from './errors';

/**
 * The options that several commands share, their parsers, and the flag checks that run before anything is contacted.
 * The rules are common/'s (the same sentences the workflows use); the CLI only says which flag broke them.
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
export const asOption = () =>
  new Option('--as <who>', 'who you are (checked by the run against its admin list)').makeOptionMandatory();
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

/** Which flag (or variable) sets each field of a workflow input (start, revoke), for error messages. */
export function flagOfInputField(field: string, flags: TargetFlags): string {
  if (field === 'accountId') return 'OFFBOARD_ACCOUNT_ID';
  if (field.startsWith('target')) return flags.role !== undefined ? '--role' : '--user';
  if (field === 'requestedBy') return '--requested-by';
  if (field === 'clusterIds' || field.startsWith('clusterIds[')) return '--cluster';
  if (field === 'deleteNotBefore') return '--delete-not-before';
  if (field === 'comment') return '--comment/--ticket';
  return `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** How the fields of a workflow input map back onto the flags (and configuration) the user can change. */
export function inputProblemsError(problems: InputProblem[], flagOf: (field: string) => string): CliError {
  const lines = problems.map((p) => `${flagOf(p.field)}: ${p.rule}`);
  return badInput(lines.length === 1 ? lines[0] : `invalid input:\n  ${lines.join('\n  ')}`);
}
