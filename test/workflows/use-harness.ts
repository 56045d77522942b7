/**
 * The shared set-up of the workflow suites. Apart from harness.ts because it declares jest hooks, and harness.ts
 * also serves the scripts that run outside jest (through local-stack.ts).
 */
import { closeTestConnections } from '../support/temporal';
import { startHarness, type Harness } from './harness';

/**
 * The harness of a whole test file: started before its tests, stopped after them together with the file's Temporal
 * connections. Jest runs afterAll hooks in the order they are declared: one declared before this call runs before
 * the harness stops.
 */
export function useHarness(prefix: string, options?: Parameters<typeof startHarness>[1]): Harness {
  // Empty until beforeAll: nothing reads a harness while the file is only declaring its tests.
  const harness = {} as Harness;
  let started = false;
  beforeAll(async () => {
    Object.assign(harness, await startHarness(prefix, options));
    started = true;
  });
  afterAll(async () => {
    if (started) await harness.stop();
    await closeTestConnections();
  });
  return harness;
}
