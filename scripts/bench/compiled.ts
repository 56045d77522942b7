/**
 * The repository as the production image runs it: node on the compiled JavaScript (Dockerfile: `node
 * dist/worker/main.js`), not tsx. tsx compiles at load and turns Node's source maps on, which costs memory and CPU
 * that a production worker or API does not pay, so the benchmarks measure this unless told `--tsx`. Built as `npm run
 * build` builds dist/ (the production tsconfig, then the console's files), into node_modules/.cache (inside the
 * repository, so packages resolve as from dist/).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseDockerfile, stageConfig } from '../../test/image/dockerfile';
import { copyConsoleFiles } from '../console-files';
import { repoRoot } from '../local-temporal';

const outDir = join(repoRoot, 'node_modules', '.cache', 'acs-offboarding-bench', 'dist');

export interface CompiledRepository {
  workerMain: string;
  serverMain: string;
  /** The benchmark's floor worker (scripts/bench/floor/worker.ts). */
  floorWorkerMain: string;
  /** How the image starts its worker: node's flags in its CMD and its ENV (the ones that are not paths in the image). */
  workerRuntime: { nodeArgs: string[]; env: Record<string, string> };
}

export async function compileRepository(): Promise<CompiledRepository> {
  await promisify(execFile)(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir],
    { cwd: repoRoot },
  );
  copyConsoleFiles(outDir);
  return {
    workerMain: join(outDir, 'worker', 'main.js'),
    serverMain: join(outDir, 'server', 'main.js'),
    floorWorkerMain: join(outDir, 'scripts', 'bench', 'floor', 'worker.js'),
    workerRuntime: imageRuntime(),
  };
}

/** The Dockerfile's last stage, the image: `CMD ["node", …flags, "dist/worker/main.js"]` and its ENV. */
function imageRuntime(): CompiledRepository['workerRuntime'] {
  const stages = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
  const image = stageConfig(stages[stages.length - 1]);
  const cmd = image.cmd ?? [];
  if (cmd[0] !== 'node' || !cmd.at(-1)?.endsWith('.js'))
    throw new Error(`the Dockerfile's CMD is not node on a script: ${JSON.stringify(cmd)}`);
  return {
    nodeArgs: cmd.slice(1, -1),
    env: Object.fromEntries(Object.entries(image.env).filter(([, value]) => !value.startsWith('/'))),
  };
}
