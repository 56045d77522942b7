/**
 * Every workflow the worker runs; the test bundle and the worker load this file. Under Worker Versioning
 * (config/deployment.ts) each declares whether its runs stay on the build they started on: runs that wait days for
 * people (offboardings, undos), purges that sleep until their date, and sweeps are PINNED, so a deploy never replays them on changed code; the short
 * leaked-kubeconfig response and the dry-run plan may move to the newest build (AUTO_UPGRADE).
 */
import { type VersioningBehavior } from '@temporalio/common';
import { setWorkflowOptions, workflowInfo } from '@temporalio/workflow';
import { deletionFailsafe } from './deletion-failsafe';
import { offboardIdentity } from './offboard-identity';
import { planOffboarding } from './plan-offboarding';
import { revokeKubeconfig } from './revoke-kubeconfig';
import { purgeFromRecycleBin } from './purge-from-recycle-bin';
import { sweepOrphanedKubeconfigs } from './sweep-orphaned-kubeconfigs';
import { undoOffboarding } from './undo-offboarding';

/** The behaviour on a versioned worker; an unversioned one may not be given any (the server refuses the task). */
const onVersionedWorker = (versioningBehavior: VersioningBehavior) => () =>
  workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior } : {};

setWorkflowOptions(onVersionedWorker('PINNED'), offboardIdentity);
setWorkflowOptions(onVersionedWorker('PINNED'), sweepOrphanedKubeconfigs);
setWorkflowOptions(onVersionedWorker('PINNED'), undoOffboarding);
setWorkflowOptions(onVersionedWorker('PINNED'), purgeFromRecycleBin);
setWorkflowOptions(onVersionedWorker('AUTO_UPGRADE'), revokeKubeconfig);
setWorkflowOptions(onVersionedWorker('AUTO_UPGRADE'), planOffboarding);
// The account's failsafe governor lives as long as the account: pinned, it would keep an old build alive for ever.
setWorkflowOptions(onVersionedWorker('AUTO_UPGRADE'), deletionFailsafe);

export {
  deletionFailsafe,
  offboardIdentity,
  planOffboarding,
  purgeFromRecycleBin,
  revokeKubeconfig,
  sweepOrphanedKubeconfigs,
  undoOffboarding,
};
