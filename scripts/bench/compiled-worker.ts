/**
 * The worker as the production image runs it: node on the compiled JavaScript (Dockerfile: `node
 * dist/worker/main.js`), not tsx. tsx compiles at load and turns Node's source maps on, which costs memory and CPU
 * that a production worker does not pay, so the benchmarks measure this one unless told `--tsx`. Compiled with the
 * production tsconfig into node_modules/.cache (inside the repository, so packages resolve as from dist/).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../local-temporal';

const outDir = join(repoRoot, 'node_modules', '.cache', 'acs-offboarding-bench', 'dist');

/** Compiles the repository as `npm run build` does; returns the worker's entry point. */
export async function compileWorker(): Promise<string> {
  await promisify(execFile)(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir],
    { cwd: repoRoot },
  );
  return join(outDir, 'worker', 'main.js');
}
