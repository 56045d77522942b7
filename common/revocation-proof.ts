import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { type KubeconfigState, type RevocationProof, type RevocationProofSummary } from './types';

/**
 * The rules of a revocation proof that the workflow and the activities share: which kubeconfigs are revoked, the
 * proof's digest, and its summary. The workflow summarizes the proof for the deletion activities (each of which used
 * to receive every cluster's kubeconfig state in its input, copied into the history with every call); the activities
 * check the summary by the same rules. SHA-256 is noble's, pure and deterministic, already in the workflow bundle
 * with the token verifier.
 */

/** Cert states that mean "this identity cannot use a kubeconfig on that cluster". */
export const REVOKED_CERT_STATES: readonly string[] = ['Removed', 'Unissued'];

/** The kubeconfigs an identity could still use. */
export function usableKubeconfigs(kubeconfigs: KubeconfigState[]): KubeconfigState[] {
  return kubeconfigs.filter((k) => !REVOKED_CERT_STATES.includes(k.certState));
}

/** A lowercase hex SHA-256, as `proofSha256` holds it. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** JSON with every object's keys in code-point order and no undefined member: the same value, the same bytes. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${members.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The proof's SHA-256 (lowercase hex) over its canonical JSON. An auditor recomputes it from the run's history: the
 * proof is `{ kind: 'RevocationProof', uid, target, verifiedAt, kubeconfigs, grantsRemaining: 0 }`, with the run's
 * target and the rest from its last verifyRevocation result before the deletion.
 */
export function revocationProofDigest(proof: RevocationProof): string {
  const { kind, uid, target, verifiedAt, kubeconfigs, grantsRemaining } = proof;
  return bytesToHex(
    sha256(utf8ToBytes(canonicalJson({ kind, uid, target, verifiedAt, kubeconfigs, grantsRemaining }))),
  );
}

/** What the deletion activities get instead of the proof: counts they check, and the digest that names the proof. */
export function summarizeRevocationProof(proof: RevocationProof): RevocationProofSummary {
  const clusters = (list: KubeconfigState[]) => new Set(list.map((k) => k.clusterId)).size;
  return {
    kind: 'RevocationProofSummary',
    target: { type: proof.target.type, name: proof.target.name },
    uid: proof.uid,
    verifiedAt: proof.verifiedAt,
    clustersChecked: clusters(proof.kubeconfigs),
    clustersUsable: clusters(usableKubeconfigs(proof.kubeconfigs)),
    grantsRemaining: proof.grantsRemaining,
    proofSha256: revocationProofDigest(proof),
  };
}
