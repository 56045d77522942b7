/**
 * The Dockerfile read as data: its stages and their instructions, for the image check that carries them out without
 * a Docker engine (build-image.ts). Only the instructions that check knows are accepted; any other one is an error,
 * so that the check never silently does less than `docker build` would.
 */
import { posix } from 'node:path';

export type Instruction = { line: number } & (
  | { kind: 'WORKDIR'; path: string }
  | { kind: 'COPY'; from?: string; sources: string[]; dest: string }
  | { kind: 'RUN'; argv: string[] }
  | { kind: 'ENV'; vars: Array<[string, string]> }
  | { kind: 'USER'; user: string }
  | { kind: 'CMD'; argv: string[] }
);

export interface Stage {
  /** The `AS` name, or the stage's index as Docker numbers them. */
  name: string;
  image: string;
  line: number;
  instructions: Instruction[];
}

export class DockerfileError extends Error {
  constructor(line: number, problem: string) {
    super(`Dockerfile line ${line}: ${problem}`);
    this.name = 'DockerfileError';
  }
}

/** Logical lines: comments and blank lines dropped, `\` continuations joined; each with its first line number. */
function logicalLines(text: string): Array<{ line: number; text: string }> {
  const result: Array<{ line: number; text: string }> = [];
  let pending: { line: number; text: string } | undefined;
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && !pending)) return;
    const continued = trimmed.endsWith('\\');
    const part = continued ? trimmed.slice(0, -1).trim() : trimmed;
    pending = pending
      ? { line: pending.line, text: `${pending.text} ${part}`.trim() }
      : { line: index + 1, text: part };
    if (!continued) {
      result.push(pending);
      pending = undefined;
    }
  });
  if (pending) result.push(pending);
  return result;
}

/** The exec form `["a", "b"]` as argv; the shell form as `/bin/sh -c`, as Docker runs it on Linux. */
function commandLine(args: string, line: number): string[] {
  if (!args.startsWith('[')) return ['/bin/sh', '-c', args];
  const argv: unknown = JSON.parse(args);
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => typeof a === 'string'))
    throw new DockerfileError(line, `the exec form must be a JSON array of strings: ${args}`);
  return argv as string[];
}

/** `ENV A=1 B="two words"`, or the legacy `ENV A one value`. */
function envVars(args: string, line: number): Array<[string, string]> {
  if (!/^\w+=/.test(args)) {
    const [name, ...value] = args.split(/\s+/);
    return [[name, value.join(' ')]];
  }
  const vars: Array<[string, string]> = [];
  const pair = /(\w+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))\s*/y;
  let match: RegExpExecArray | null;
  while (pair.lastIndex < args.length && (match = pair.exec(args)))
    vars.push([match[1], match[2]?.replace(/\\(.)/g, '$1') ?? match[3]]);
  if (pair.lastIndex < args.length) throw new DockerfileError(line, `cannot read ENV ${args}`);
  return vars;
}

function copy(args: string, line: number): Instruction {
  const words = args.split(/\s+/);
  let from: string | undefined;
  while (words[0]?.startsWith('--')) {
    const flag = words.shift()!;
    if (!flag.startsWith('--from=')) throw new DockerfileError(line, `COPY ${flag} is not carried out by the check`);
    from = flag.slice('--from='.length);
  }
  const paths = words.join(' ').startsWith('[') ? (JSON.parse(words.join(' ')) as string[]) : words;
  if (paths.length < 2) throw new DockerfileError(line, 'COPY needs a source and a destination');
  if (paths.some((p) => /[*?[]/.test(p))) throw new DockerfileError(line, 'COPY wildcards are not carried out');
  return { kind: 'COPY', line, from, sources: paths.slice(0, -1), dest: paths[paths.length - 1] };
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const { line, text: instruction } of logicalLines(text)) {
    const [, keyword, args = ''] = /^(\S+)\s*(.*)$/.exec(instruction)!;
    const kind = keyword.toUpperCase();
    if (/\$/.test(args) && kind !== 'RUN' && kind !== 'CMD')
      throw new DockerfileError(line, `variable substitution is not carried out by the check: ${instruction}`);
    if (kind === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new DockerfileError(line, `cannot read FROM ${args}`);
      stages.push({ name: from[2] ?? String(stages.length), image: from[1], line, instructions: [] });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) throw new DockerfileError(line, `${kind} before the first FROM`);
    switch (kind) {
      case 'WORKDIR':
        stage.instructions.push({ kind, line, path: args });
        break;
      case 'COPY':
        stage.instructions.push(copy(args, line));
        break;
      case 'RUN':
      case 'CMD':
        stage.instructions.push({ kind, line, argv: commandLine(args, line) });
        break;
      case 'ENV':
        stage.instructions.push({ kind, line, vars: envVars(args, line) });
        break;
      case 'USER':
        stage.instructions.push({ kind, line, user: args });
        break;
      default:
        throw new DockerfileError(line, `${kind} is not carried out by the image check: teach test/image/ first`);
    }
  }
  if (stages.length === 0) throw new DockerfileError(1, 'no FROM');
  return stages;
}

export interface StageConfig {
  workdir: string;
  env: Record<string, string>;
  user?: string;
  cmd?: string[];
}

/** A stage's configuration after one more instruction (the others change files, not configuration). */
export function nextConfig(config: StageConfig, instruction: Instruction): StageConfig {
  switch (instruction.kind) {
    case 'WORKDIR':
      return { ...config, workdir: posix.resolve(config.workdir, instruction.path) };
    case 'ENV':
      return { ...config, env: { ...config.env, ...Object.fromEntries(instruction.vars) } };
    case 'USER':
      return { ...config, user: instruction.user };
    case 'CMD':
      return { ...config, cmd: instruction.argv };
    default:
      return config;
  }
}

export const initialConfig: StageConfig = { workdir: '/', env: {} };

/** What a stage ends with, as the image would record it: working directory, ENV, USER and CMD. */
export function stageConfig(stage: Stage): StageConfig {
  return stage.instructions.reduce(nextConfig, initialConfig);
}
