/**
 * `docker build` without a Docker engine, for CI: carries out the Dockerfile's instructions in a scratch directory,
 * one directory per stage standing for that stage's filesystem root. The base image is this machine (it must be the
 * same Node major as the Dockerfile's `node:` image); RUN runs for real, COPY copies the build context as filtered
 * by .dockerignore, or another stage's files. USER is recorded, not switched to: CI runs as whoever runs it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, posix, relative } from 'node:path';
import {
  DockerfileError,
  initialConfig,
  nextConfig,
  parseDockerfile,
  type Instruction,
  type Stage,
  type StageConfig,
} from './dockerfile';

export interface BuiltImage extends StageConfig {
  /** The last stage's filesystem root on this machine. */
  root: string;
}

/** Progress in CI's log, without jest's console decoration. */
function log(line: string): void {
  process.stdout.write(`[image] ${line}\n`);
}

/** Where a path of a stage's filesystem is on this machine. */
export function hostPath(root: string, imagePath: string): string {
  return join(root, posix.resolve('/', imagePath));
}

/**
 * The image's environment on this machine: ENV values that are absolute paths point into the stage's filesystem,
 * which is `root` here. PATH stays this machine's, for its node and npm.
 */
export function hostEnv(image: { root: string; env: Record<string, string> }): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(image.env))
    env[name] = value.startsWith('/') ? hostPath(image.root, value) : value;
  return { ...env, PATH: process.env.PATH ?? '/usr/bin:/bin' };
}

type Filter = (path: string) => boolean;

/** One piece of a .dockerignore glob as a regular expression: `**` any directories, `*` and `?` within a name. */
function globPiece(piece: string): string {
  if (piece.startsWith('**')) return '(.*/)?';
  if (piece === '*') return '[^/]*';
  if (piece === '?') return '[^/]';
  return piece.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

/** The .dockerignore rules as a predicate on context-relative paths (Docker's syntax: globs, `**`, `!` exceptions). */
export function dockerignore(text: string): Filter {
  const rules = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const glob = posix.normalize((negated ? line.slice(1) : line).replace(/^\/+/, '')).replace(/\/$/, '');
      const source = glob
        .split(/(\*\*\/?|\*|\?)/)
        .map(globPiece)
        .join('');
      // A path is ignored with everything under it.
      return { negated, pattern: new RegExp(`^${source}(/.*)?$`) };
    });
  return (path) => rules.reduce((ignored, rule) => (rule.pattern.test(path) ? !rule.negated : ignored), false);
}

function fail(instruction: { line: number }, problem: string): never {
  throw new DockerfileError(instruction.line, problem);
}

/** The base image must be what this machine is: the Node image of this Node major. */
function checkBaseImage(stage: Stage): void {
  const nodeImage = /^node:(\d+)(?:[.-]|$)/.exec(stage.image);
  const major = process.versions.node.split('.')[0];
  if (!nodeImage) fail(stage, `FROM ${stage.image}: only node:<major> images can be stood in for by this machine`);
  if (nodeImage[1] !== major) fail(stage, `FROM ${stage.image}: this machine runs Node ${process.versions.node}`);
}

/** What RUN gets from this machine besides the stage's ENV: its tools, npm's cache and the way to the registry. */
const builderEnvNames = ['HOME', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY'];

function run(instruction: Extract<Instruction, { kind: 'RUN' }>, stage: { root: string } & StageConfig): void {
  log(`line ${instruction.line}: RUN ${instruction.argv.join(' ')}`);
  const builderEnv = Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => builderEnvNames.includes(entry[0].toUpperCase()) && entry[1] !== undefined,
    ),
  );
  const [command, ...args] = instruction.argv;
  const result = spawnSync(command, args, {
    cwd: hostPath(stage.root, stage.workdir),
    env: { ...builderEnv, ...hostEnv(stage) },
    stdio: 'inherit',
  });
  if (result.status !== 0) fail(instruction, `RUN exited with ${result.status ?? result.signal}`);
}

/**
 * COPY: a directory's contents into the destination; a file to the destination, or into it when the destination is
 * a directory (it ends with `/`, there are several sources, or it exists as one).
 */
function copy(
  instruction: Extract<Instruction, { kind: 'COPY' }>,
  stage: { root: string; workdir: string; context: string; roots: Map<string, string>; inContext: Filter },
): void {
  const fromRoot = instruction.from === undefined ? undefined : stage.roots.get(instruction.from);
  if (instruction.from !== undefined && !fromRoot)
    fail(instruction, `COPY --from=${instruction.from}: no earlier stage of that name`);
  const dest = hostPath(stage.root, posix.resolve(stage.workdir, instruction.dest));
  const intoDirectory =
    instruction.dest.endsWith('/') ||
    instruction.sources.length > 1 ||
    (existsSync(dest) && statSync(dest).isDirectory());
  mkdirSync(intoDirectory ? dest : dirname(dest), { recursive: true });
  for (const path of instruction.sources) {
    const source = fromRoot ? hostPath(fromRoot, path) : join(stage.context, posix.normalize(path));
    if (!existsSync(source)) fail(instruction, `COPY: ${path} does not exist`);
    const filter = fromRoot ? () => true : stage.inContext;
    if (statSync(source).isDirectory()) cpSync(source, dest, { recursive: true, filter });
    else cpSync(source, intoDirectory ? join(dest, basename(source)) : dest);
  }
}

export function buildImage(options: { dockerfile: string; context: string; scratch: string }): BuiltImage {
  const { context, scratch } = options;
  const stages = parseDockerfile(readFileSync(options.dockerfile, 'utf8'));
  const ignorePath = join(context, '.dockerignore');
  const ignored = dockerignore(existsSync(ignorePath) ? readFileSync(ignorePath, 'utf8') : '');
  const inContext = (path: string) => relative(context, path) === '' || !ignored(relative(context, path));
  const roots = new Map<string, string>();
  const configs = new Map<string, StageConfig>();

  for (const stage of stages) {
    checkBaseImage(stage);
    const root = join(scratch, stage.name);
    mkdirSync(root, { recursive: true });
    roots.set(stage.name, root);
    log(`line ${stage.line}: FROM ${stage.image} AS ${stage.name} → ${root}`);
    let config = initialConfig;
    for (const instruction of stage.instructions) {
      if (instruction.kind === 'COPY') copy(instruction, { root, workdir: config.workdir, context, roots, inContext });
      if (instruction.kind === 'RUN') run(instruction, { root, ...config });
      config = nextConfig(config, instruction);
      if (instruction.kind === 'WORKDIR') mkdirSync(hostPath(root, config.workdir), { recursive: true });
    }
    configs.set(stage.name, config);
  }
  const last = stages[stages.length - 1];
  return { ...configs.get(last.name)!, root: roots.get(last.name)! };
}
