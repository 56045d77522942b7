import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../common/errors';
import { type KubeconfigState, type RevocationProof, type TargetIdentity } from '../common/types';
import { identityRef } from '../common/validation';

/** Cert states that mean "this identity cannot use a kubeconfig on that cluster". */
export const REVOKED_CERT_STATES: readonly string[] = ['Removed', 'Unissued'];

/** The kubeconfigs an identity could still use. */
export function usableKubeconfigs(kubeconfigs: KubeconfigState[]): KubeconfigState[] {
  return kubeconfigs.filter((k) => !REVOKED_CERT_STATES.includes(k.certState));
}

/** A proof is accepted only if it is for this identity and shows every cluster revoked and no grant left. */
export function checkProof(proof: RevocationProof | undefined, target: TargetIdentity): void {
  const ok =
    proof !== undefined &&
    proof.kind === 'RevocationProof' &&
    proof.target.type === target.type &&
    proof.target.name === target.name &&
    proof.grantsRemaining === 0 &&
    usableKubeconfigs(proof.kubeconfigs).length === 0;
  if (!ok) {
    throw ApplicationFailure.create({
      type: FailureType.MissingRevocationProof,
      message: `refusing to delete ${identityRef(target.type, target.name)}: no verified revocation for it`,
      nonRetryable: true,
    });
  }
}
