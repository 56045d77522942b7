/**
 * How a floor run is started, by the benchmark and its test alike: a plain client (no codec), the floor workflow with
 * its shape, and the search attributes an offboarding starts with that the count reads (its account, its first stage).
 */
import { type Client } from '@temporalio/client';
import { SearchAttributes } from '../../../common/search-attributes';
import { OffboardingStage } from '../../../common/stages';
import type { FloorStep } from './shape';

/** Floor runs are counted by this account, which no offboarding has. */
export const floorAccount = (accountId: string) => `floor-${accountId}`;

/** How the benchmark counts runs of `account` at the approval: the bulk's offboardings and the floor's runs alike. */
export const atTheApprovalQuery = (account: string) =>
  `${SearchAttributes.account.name} = '${account}' AND ${SearchAttributes.stage.name} = '${OffboardingStage.AwaitingApproval}'`;

export const floorWorkflowId = (account: string, index: number) => `floor/${account}/${index}`;

export async function startFloorRun(
  client: Client,
  options: { taskQueue: string; account: string; index: number; steps: FloorStep[] },
): Promise<void> {
  await client.workflow.start('floorRun', {
    taskQueue: options.taskQueue,
    workflowId: floorWorkflowId(options.account, options.index),
    args: [options.steps],
    typedSearchAttributes: [
      { key: SearchAttributes.account, value: options.account },
      { key: SearchAttributes.stage, value: OffboardingStage.Inventory },
    ],
  });
}
