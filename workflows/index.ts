/**
 * Every workflow the worker runs; the test bundle and the worker load this file. Under Worker Versioning
 * (config/deployment.ts) each declares whether its runs stay on the build they started on: runs that wait days for
 * people (offboardings, undos) and sweeps are PINNED, so a deploy never replays them on changed code; the short
 * leaked-kubeconfig response and the dry-run plan may move to the newest build (AUTO_UPGRADE).
 */
import { setWorkflowOptions } from '@temporalio/workflow';
import { offboardIdentity } from './offboard-identity';
import { planOffboarding } from './plan-offboarding';
import { revokeKubeconfig } from './revoke-kubeconfig';
import { sweepOrphanedKubeconfigs } from './sweep-orphaned-kubeconfigs';

setWorkflowOptions({ versioningBehavior: 'PINNED' }, offboardIdentity);
setWorkflowOptions({ versioningBehavior: 'PINNED' }, sweepOrphanedKubeconfigs);
setWorkflowOptions({ versioningBehavior: 'AUTO_UPGRADE' }, revokeKubeconfig);
setWorkflowOptions({ versioningBehavior: 'AUTO_UPGRADE' }, planOffboarding);

export { offboardIdentity, planOffboarding, revokeKubeconfig, sweepOrphanedKubeconfigs };
