/**
 * How the workflow bundle is made, for the bundle script and for a worker that bundles at start alike.
 *
 * Modules the workflow bundle loads once per worker thread and shares between runs (the SDK's `preloadModules`):
 * every other module is instantiated again for each run the worker loads, which costs the run the module's evaluation
 * and any table the module builds lazily.
 *
 * Only modules that hold nothing per run belong here: the SDK freezes them, and anything they keep is seen by every
 * run. The token verifier qualifies, with what it imports (noble's Ed25519 and SHA-512, base64url): its one lazy
 * state is noble's multiplication table for the base point, a constant, so sharing it changes how fast a run
 * verifies a signature (about 35 ms of CPU to build the table, in every run without this), never what it decides.
 * The verifier is named rather than noble itself: webpack drops a bare `require` of a package that declares
 * `sideEffects: false`, as noble does.
 */
import { bundleWorkflowCode, type Logger } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from './codec';
import { WORKFLOW_INTERCEPTOR_MODULES } from './telemetry';

export const WORKFLOW_PRELOAD_MODULES: string[] = [
  require.resolve('../common/signed-token'),
  // Not shared state but a setting of the sandbox's realm, made before the SDK freezes it (see the module).
  require.resolve('../workflows/sandbox-stack-traces'),
];

/** The workflows every bundle holds: workflows/index.ts. */
export const WORKFLOWS_PATH = require.resolve('../workflows');

/** The part of webpack's compiler that `bundleWorkflows` uses (webpack comes with the SDK, not as our dependency). */
interface CompilerDone {
  hooks: { done: { tap(name: string, onDone: (stats: { compilation: { warnings: Error[] } }) => void): void } };
}

/**
 * Bundles the workflows as a worker that has no prebuilt bundle does at start, and logs it as one line: its size and
 * how long it took. The SDK's bundler would log webpack's whole build report at info (a screenful in the demo's
 * output) and its own "Workflow bundle created"; both are replaced by that line. Webpack's warnings, which the
 * report would carry at info, are logged at warn, each on its own; a failed build logs the report at error (the SDK
 * does) and rejects.
 */
export async function bundleWorkflows(logger: Logger, workflowsPath = WORKFLOWS_PATH): Promise<{ code: string }> {
  const started = Date.now();
  const reportWarnings = {
    apply(compiler: CompilerDone) {
      compiler.hooks.done.tap('offboard-bundle-warnings', (stats) => {
        for (const warning of stats.compilation.warnings) {
          logger.warn(`webpack warning while bundling the workflows: ${warning.message}`);
        }
      });
    },
  };
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    preloadModules: WORKFLOW_PRELOAD_MODULES,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    webpackConfigHook: (config) => ({ ...config, plugins: [...(config.plugins ?? []), reportWarnings] }),
    logger: {
      log: (level, message, meta) => (level === 'INFO' ? undefined : logger.log(level, message, meta)),
      trace: (message, meta) => logger.trace(message, meta),
      debug: (message, meta) => logger.debug(message, meta),
      info: () => undefined, // webpack's report and the SDK's size line: replaced by the line below
      warn: (message, meta) => logger.warn(message, meta),
      error: (message, meta) => logger.error(message, meta),
    },
  });
  const ms = Date.now() - started;
  const bytes = Buffer.byteLength(code);
  logger.info(`workflow bundle built in ${(ms / 1000).toFixed(1)} s (${(bytes / 2 ** 20).toFixed(1)} MiB)`, {
    bytes,
    ms,
  });
  return { code };
}
