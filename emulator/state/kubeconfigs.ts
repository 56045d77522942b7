import { randomBytes } from 'node:crypto';
import { DAY_MS } from '../time';
import type { CertState, ClusterState, KubeconfigRecord, WorldState } from './world';

/** Kubeconfig records: keyed by uid, then cluster id, so they outlive the RAM identity they were issued to. */

/** The default client-certificate validity. */
export const KUBECONFIG_VALIDITY_MS = 3 * 365 * DAY_MS;

/** A fresh certificate serial: it changes on every issuance, so a re-issued kubeconfig is visibly new. */
export function newSerial(): string {
  return randomBytes(8).toString('hex');
}

/** The records of `uid`, created empty on first use. */
export function kubeconfigsOf(world: WorldState, uid: string): Map<string, KubeconfigRecord> {
  let m = world.kubeconfigs.get(uid);
  if (!m) {
    m = new Map();
    world.kubeconfigs.set(uid, m);
  }
  return m;
}

/** The state a kubeconfig shows now: an Unexpired certificate past its expiry reads as Expired. */
export function effectiveCertState(rec: KubeconfigRecord | undefined, now: number): CertState {
  if (!rec) return 'Unissued';
  if (rec.state === 'Unexpired' && rec.expires !== undefined && rec.expires <= now) return 'Expired';
  return rec.state;
}

/**
 * The state the service reports on `cluster`: `Unknown` for every issued kubeconfig when it cannot read the cluster's
 * certificates (`certStatesUnknown`) — whatever happened to the record underneath, which shows once it can again.
 */
export function reportedCertState(cluster: ClusterState, rec: KubeconfigRecord | undefined, now: number): CertState {
  const state = effectiveCertState(rec, now);
  return cluster.certStatesUnknown && state !== 'Unissued' ? 'Unknown' : state;
}

/** Revokes an issued kubeconfig: state Removed from `now`. Unissued and already removed records stay as they are. */
export function revokeKubeconfig(rec: KubeconfigRecord | undefined, now: number): void {
  if (rec && rec.state !== 'Unissued' && rec.state !== 'Removed') {
    rec.state = 'Removed';
    rec.removed = now;
  }
}
