import { buildPlan, type Plan } from '../common/plan';
import { type TargetIdentity } from '../common/types';
import { dependencyActivities } from './dependencies';
import { activityContext, type ActivityContext } from './deps';
import { inventoryActivities } from './inventory';
import { readOnlyClients } from './read-only';
import { type OffboardActivities } from './types';

/**
 * The dry run, on the worker (the only process holding Alibaba credentials): the inventory and the dependency
 * probes, over SDK clients that can only read — a future change that reached a write would fail loudly here.
 */
export function planActivities({ deps }: ActivityContext): Pick<OffboardActivities, 'planIdentity'> {
  const refuse = () => Promise.reject(new Error('dry run: nothing is written or sent'));
  const readOnly = activityContext({
    ...deps,
    clients: readOnlyClients(deps.clients),
    audit: { append: refuse },
    notifier: { send: refuse },
  });
  const { inventoryIdentity } = inventoryActivities(readOnly);
  const { checkDependencies } = dependencyActivities(readOnly);
  return {
    async planIdentity(input: { accountId: string; target: TargetIdentity; clusterIds?: string[] }): Promise<Plan> {
      const result = await inventoryIdentity({ accountId: input.accountId, target: input.target });
      const findings = result.exists ? await checkDependencies({ inventory: result.inventory }) : [];
      return buildPlan(input.accountId, result, findings, input.clusterIds);
    },
  };
}
