import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../common/errors';
import { SHA256_HEX, usableKubeconfigs } from '../common/revocation-proof';
import { type DeletionProof, type TargetIdentity } from '../common/types';
import { identityRef } from '../common/validation';

export { REVOKED_CERT_STATES, usableKubeconfigs } from '../common/revocation-proof';

/**
 * Why a proof does not allow acting on `target`, or nothing when it does: it must be for this identity and show
 * every cluster revoked and no grant left. The workflow passes a summary (common/revocation-proof.ts); a run started
 * before the summary existed still passes the whole proof, accepted by the same rules.
 */
function proofProblem(proof: DeletionProof | undefined, target: TargetIdentity): string | undefined {
  if (proof === undefined || proof === null || typeof proof !== 'object') return 'no proof given';
  if (proof.target?.type !== target.type || proof.target?.name !== target.name) {
    const other = proof.target ? identityRef(proof.target.type, proof.target.name) : 'no identity';
    return `the proof is for ${other}`;
  }
  if (!proof.uid) return 'the proof names no uid';
  if (proof.grantsRemaining !== 0) return `${String(proof.grantsRemaining)} RBAC grant(s) remain`;
  switch (proof.kind) {
    case 'RevocationProofSummary':
      if (proof.clustersUsable !== 0)
        return `the kubeconfig is still usable on ${String(proof.clustersUsable)} cluster(s)`;
      if (!Number.isInteger(proof.clustersChecked) || proof.clustersChecked < 0)
        return 'no count of the clusters checked';
      if (typeof proof.proofSha256 !== 'string' || !SHA256_HEX.test(proof.proofSha256)) {
        return 'the summary carries no SHA-256 of the proof';
      }
      return undefined;
    case 'RevocationProof': {
      if (!Array.isArray(proof.kubeconfigs)) return 'the proof lists no kubeconfig states';
      const usable = usableKubeconfigs(proof.kubeconfigs);
      if (usable.length > 0) return `still usable: ${usable.map((k) => `${k.clusterId}=${k.certState}`).join(', ')}`;
      return undefined;
    }
    default:
      return 'not a revocation proof';
  }
}

/** Refuses (non-retryably) to act on `target` without a proof of its verified revocation. */
export function checkProof(proof: DeletionProof | undefined, target: TargetIdentity): void {
  const problem = proofProblem(proof, target);
  if (problem) {
    throw ApplicationFailure.create({
      type: FailureType.MissingRevocationProof,
      message: `refusing to delete ${identityRef(target.type, target.name)}: no verified revocation for it (${problem})`,
      nonRetryable: true,
    });
  }
}
