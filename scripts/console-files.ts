/**
 * The web console's templates and static files, which tsc does not copy: `npm run build` puts them beside the compiled
 * server (dist/server/console/), where it reads them from (server/console/render.ts, plugin.ts).
 *   tsx scripts/console-files.ts OUT_DIR
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './local-temporal/paths';

export function copyConsoleFiles(outDir: string): void {
  for (const dir of ['views', 'assets']) {
    cpSync(join(repoRoot, 'server', 'console', dir), join(outDir, 'server', 'console', dir), { recursive: true });
  }
}

if (require.main === module) {
  const outDir = process.argv[2];
  if (!outDir) {
    console.error('usage: tsx scripts/console-files.ts OUT_DIR');
    process.exit(2);
  }
  copyConsoleFiles(outDir);
}
