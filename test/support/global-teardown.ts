import { rmSync } from 'node:fs';
import { stopProcess } from '../../scripts/local-temporal';

export default async function globalTeardown(): Promise<void> {
  if (globalThis.__TEMPORAL_TEST_SERVER_PID__) await stopProcess(globalThis.__TEMPORAL_TEST_SERVER_PID__);
  if (process.env.OFFBOARD_TEST_WORKFLOW_BUNDLE) rmSync(process.env.OFFBOARD_TEST_WORKFLOW_BUNDLE, { force: true });
}
