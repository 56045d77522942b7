/**
 * Jest global setup: one real Temporal dev server for the whole test run (started through the same bootstrap as
 * `npm run temporal`, on free ports, in memory), or the server named by TEMPORAL_ADDRESS; and the workflow bundle,
 * built once so that each test worker starts in milliseconds instead of re-bundling.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import {
  ensureSearchAttributes,
  ensureTemporalCli,
  freePort,
  repoRoot,
  startDevServer,
} from '../../scripts/local-temporal';
import { workflowsPath, writeWorkflowBundle } from '../../scripts/build-workflow-bundle';

declare global {
  var __TEMPORAL_TEST_SERVER_PID__: number | undefined;
}

export default async function globalSetup(): Promise<void> {
  const namespace = (process.env.TEMPORAL_NAMESPACE ||= 'default');
  if (process.env.TEMPORAL_ADDRESS) {
    const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
    await ensureSearchAttributes(connection, namespace);
    await connection.close();
    console.log(`\n[test] using the Temporal server at ${process.env.TEMPORAL_ADDRESS}`);
  } else {
    const cli = await ensureTemporalCli((line) => console.log(`[test] ${line}`));
    const [grpcPort, uiPort] = [await freePort(), await freePort()];
    const server = await startDevServer({
      cli: cli.path,
      grpcPort,
      uiPort,
      namespace,
      logFile: join(repoRoot, '.data', `temporal-test-server-${grpcPort}.log`),
      // The browser test of the on-call console needs the UI; it costs little.
      headless: false,
    });
    globalThis.__TEMPORAL_TEST_SERVER_PID__ = server.pid;
    process.env.TEMPORAL_ADDRESS = server.address;
    process.env.TEMPORAL_UI_URL = server.uiUrl;
    console.log(
      `\n[test] Temporal dev server ${cli.path} (pid ${server.pid}) at ${server.address}, UI ${server.uiUrl}`,
    );
  }

  if (existsSync(workflowsPath)) {
    const bundlePath = join(tmpdir(), `acs-offboarding-workflows-${process.pid}.js`);
    await writeWorkflowBundle(bundlePath);
    process.env.OFFBOARD_TEST_WORKFLOW_BUNDLE = bundlePath;
  }
}
