/**
 * Jest global setup: one real Temporal dev server for the whole test run (started through the same bootstrap as
 * `npm run temporal`, on free ports, in memory), or the server named by TEMPORAL_ADDRESS; and the workflow bundle,
 * built once so that each test worker starts in milliseconds instead of re-bundling.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, scratchTemporalServer } from '../../scripts/local-temporal';
import { workflowsPath, writeWorkflowBundle } from '../../scripts/build-workflow-bundle';

declare global {
  var __TEMPORAL_TEST_SERVER_PID__: number | undefined;
}

export default async function globalSetup(): Promise<void> {
  const namespace = (process.env.TEMPORAL_NAMESPACE ||= 'default');
  const server = await scratchTemporalServer({
    namespace,
    logDir: join(repoRoot, '.data'),
    logName: 'temporal-test-server',
    // The browser test of the on-call console needs the UI; it costs little.
    headless: false,
    log: (line) => console.log(`[test] ${line}`),
  });
  if (server.started) {
    globalThis.__TEMPORAL_TEST_SERVER_PID__ = server.started.pid;
    process.env.TEMPORAL_ADDRESS = server.address;
    process.env.TEMPORAL_UI_URL = server.started.uiUrl;
    console.log(
      `\n[test] Temporal dev server (pid ${server.started.pid}) at ${server.address}, UI ${server.started.uiUrl}`,
    );
  } else {
    console.log(`\n[test] using the Temporal server at ${server.address}`);
  }

  if (existsSync(workflowsPath)) {
    const bundlePath = join(tmpdir(), `acs-offboarding-workflows-${process.pid}.js`);
    await writeWorkflowBundle(bundlePath);
    process.env.OFFBOARD_TEST_WORKFLOW_BUNDLE = bundlePath;
  }
}
