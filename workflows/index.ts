/** Every workflow the worker runs; the test bundle and the worker load this file. */
export { offboardIdentity } from './offboard-identity';
export { revokeKubeconfig } from './revoke-kubeconfig';
export { planOffboarding } from './plan-offboarding';
export { sweepOrphanedKubeconfigs } from './sweep-orphaned-kubeconfigs';
