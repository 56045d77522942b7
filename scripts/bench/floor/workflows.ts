/**
 * The floor workflow: takes the shape of an offboarding's way to its approval (shape.ts) and runs it with no work in
 * any step and no codec. The last search-attribute update sets the stage the benchmark counts, as the run's does.
 */
import {
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { SearchAttributes } from '../../../common/search-attributes';
import { OffboardingStage } from '../../../common/stages';
import type * as activities from './activities';
import type { FloorStep } from './shape';

const remote = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });
const local = proxyLocalActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

export async function floorRun(steps: FloorStep[]): Promise<void> {
  const lastUpsert = steps.lastIndexOf('upsert');
  for (const [i, step] of steps.entries()) {
    if (step === 'patch') patched(`floor-${i}`);
    else if (step === 'upsert') {
      const stage = i === lastUpsert ? OffboardingStage.AwaitingApproval : `Floor${i}`;
      upsertSearchAttributes([{ key: SearchAttributes.stage, value: stage }]);
    } else if (step === 'local') await local.floorStep(i);
    else if (step === 'activity') await remote.floorStep(i);
    else await condition(() => false, '24h');
  }
}
