/**
 * The repository as the production image runs it: node on the compiled JavaScript (Dockerfile: `node
 * dist/worker/main.js`), not tsx. tsx compiles at load and turns Node's source maps on, which costs memory and CPU
 * that a production worker or API does not pay, so the benchmarks measure this unless told `--tsx`. Built as `npm run
 * build` builds dist/ (the production tsconfig, then the console's files), into node_modules/.cache (inside the
 * repository, so packages resolve as from dist/).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { copyConsoleFiles } from '../console-files';
import { repoRoot } from '../local-temporal';

const outDir = join(repoRoot, 'node_modules', '.cache', 'acs-offboarding-bench', 'dist');

export interface CompiledRepository {
  workerMain: string;
  serverMain: string;
}

export async function compileRepository(): Promise<CompiledRepository> {
  await promisify(execFile)(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir],
    { cwd: repoRoot },
  );
  copyConsoleFiles(outDir);
  return { workerMain: join(outDir, 'worker', 'main.js'), serverMain: join(outDir, 'server', 'main.js') };
}
