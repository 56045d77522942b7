import type { RoutedActionDef } from '../action';
import { cleanActions } from './clean';
import { clusterActions } from './clusters';
import { kubeconfigActions } from './kubeconfigs';
import { permissionActions } from './permissions';

/**
 * Container Service (ACK/ACS) 2015-12-15, ROA style: routed by method + path, snake_case bodies. Where the reference
 * has gaps (§7) the choice made is commented; synthetic error codes live in common/alibaba-error-codes.ts.
 */
export const csActions: readonly RoutedActionDef[] = [
  ...cleanActions,
  ...kubeconfigActions,
  ...permissionActions,
  ...clusterActions,
];

export { CleanTasks } from './clean-tasks';
