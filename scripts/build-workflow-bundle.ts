/**
 * `npm run build:workflow-bundle [-- OUT]`: bundles the workflows of workflows/index.ts into one file (default
 * dist/workflow-bundle.js) that a worker loads through OFFBOARD_WORKFLOW_BUNDLE instead of bundling them at every
 * start. The production image builds it at image build time; the test setup builds one per test run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../config/codec';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../config/telemetry';
import { WORKFLOW_PRELOAD_MODULES } from '../config/workflow-bundle';
import { repoRoot } from './local-temporal';

export const workflowsPath = join(repoRoot, 'workflows', 'index.ts');

const noop = () => undefined;
/** Webpack's progress is noise; its warnings and errors are not. */
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error };

export async function writeWorkflowBundle(outPath: string): Promise<void> {
  // The workflows' failures carry their messages encoded (encrypted by the codec), as the worker's own do; the tracing
  // interceptors are in every bundle and act on traced runs only (workflows/tracing.ts).
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    preloadModules: WORKFLOW_PRELOAD_MODULES,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: quietLogger,
  });
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, code);
}

if (require.main === module) {
  const outPath = resolve(process.argv[2] ?? join(repoRoot, 'dist', 'workflow-bundle.js'));
  const started = Date.now();
  writeWorkflowBundle(outPath).then(
    () => console.log(`Workflow bundle: ${outPath} (${Date.now() - started} ms)`),
    (err: unknown) => {
      console.error('Building the workflow bundle failed:', err);
      process.exit(1);
    },
  );
}
