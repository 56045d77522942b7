/**
 * "Build B" of the Worker Versioning test: today's workflows, with offboardIdentity changed the way a real release
 * might change it (a new timer before its first step). Replaying a build-A history on this code would be a
 * nondeterminism error; pinned runs never meet it.
 */
import { setWorkflowOptions, sleep } from '@temporalio/workflow';
import { type OffboardIdentityInput } from '../../common/types';
import { offboardIdentity as buildA } from '../../workflows/offboard-identity';

export { deletionFailsafe, planOffboarding, revokeKubeconfig, sweepOrphanedKubeconfigs } from '../../workflows';

export async function offboardIdentity(input: OffboardIdentityInput): ReturnType<typeof buildA> {
  await sleep(1);
  return buildA(input);
}
setWorkflowOptions({ versioningBehavior: 'PINNED' }, offboardIdentity); // always on a versioned worker here
