/** Every workflow the worker runs; the test bundle and the worker load this file. */
export { offboardIdentity } from './offboard-identity';
export { revokeKubeconfig } from './revoke-kubeconfig';
export { planOffboarding } from './plan-offboarding';
// Undo and purge (RAM's recycle bin)
export { undoOffboarding } from './undo-offboarding';
export { purgeFromRecycleBin } from './purge-from-recycle-bin';
