import { existsSync, readFileSync } from 'node:fs';
import { optionsSchema } from './options';
import { emptyRecycleBin, type RecycledAccessKey, type RecycledUser } from './recycle-bin';
import {
  type AccessKeyState,
  type ClusterState,
  type DeletedIdentity,
  type GrantState,
  type GroupState,
  type KubeconfigRecord,
  type PolicyState,
  policyKey,
  type RoleState,
  type TaskState,
  type UserState,
  type WorldState,
} from './world';

/**
 * The world as plain JSON: the state file that survives restarts (written by DebouncedWriter), and the
 * /__emulator/state dump. Maps become arrays or objects; the file is our own output, so reading it checks only the
 * envelope.
 */

/** The JSON form of a WorldState. */
export interface WorldJson {
  regionId: string;
  account: WorldState['account'];
  options: WorldState['options'];
  policies: PolicyState[];
  groups: GroupState[];
  users: UserState[];
  roles: RoleState[];
  deletedIdentities: DeletedIdentity[];
  /** Absent in files written before the bin existed. */
  recycleBin?: { users: RecycledUser[]; accessKeys: RecycledAccessKey[] };
  clusters: ClusterState[];
  /** uid → that identity's kubeconfig records. */
  kubeconfigs: Record<string, KubeconfigRecord[]>;
  grants: Record<string, GrantState[]>;
  tasks: TaskState[];
}

interface PersistedWorld {
  format: 'acs-offboarding-emulator-state';
  version: 1;
  savedAt: string;
  world: WorldJson;
}

/** Plain-JSON form of the world. `redactSecrets` is for dumps a person reads; persistence keeps them. */
export function worldToJson(world: WorldState, redactSecrets = false): WorldJson {
  const redact = (k: AccessKeyState): AccessKeyState => (redactSecrets ? { ...k, secret: '***' } : k);
  return {
    regionId: world.regionId,
    account: { ...world.account, rootAccessKeys: world.account.rootAccessKeys.map(redact) },
    options: world.options,
    policies: [...world.policies.values()],
    groups: [...world.groups.values()],
    users: [...world.users.values()].map((u) => ({ ...u, accessKeys: u.accessKeys.map(redact) })),
    roles: [...world.roles.values()],
    deletedIdentities: [...world.deletedIdentities.values()],
    recycleBin: {
      users: [...world.recycleBin.users.values()],
      accessKeys: world.recycleBin.accessKeys.map((k) => ({ ...k, key: redact(k.key) })),
    },
    clusters: [...world.clusters.values()],
    kubeconfigs: Object.fromEntries([...world.kubeconfigs].map(([uid, m]) => [uid, [...m.values()]])),
    grants: Object.fromEntries(world.grants),
    tasks: [...world.tasks.values()],
  };
}

export function serializeWorld(world: WorldState): string {
  const doc: PersistedWorld = {
    format: 'acs-offboarding-emulator-state',
    version: 1,
    savedAt: new Date().toISOString(),
    world: worldToJson(world),
  };
  return JSON.stringify(doc);
}

/** Inverse of serializeWorld. */
function deserializeWorld(text: string): WorldState {
  const doc = JSON.parse(text) as PersistedWorld;
  if (doc.format !== 'acs-offboarding-emulator-state' || doc.version !== 1) {
    throw new Error('not an emulator state file (format/version mismatch)');
  }
  const w = doc.world;
  return {
    regionId: w.regionId,
    account: w.account,
    // Parsed, so a file written before an option existed gets its default.
    options: optionsSchema.parse(w.options),
    policies: new Map(w.policies.map((p) => [policyKey(p.type, p.name), p])),
    groups: new Map(w.groups.map((g) => [g.name, g])),
    users: new Map(w.users.map((u) => [u.name, u])),
    roles: new Map(w.roles.map((r) => [r.name, r])),
    deletedIdentities: new Map(w.deletedIdentities.map((d) => [d.uid, d])),
    recycleBin: w.recycleBin
      ? { users: new Map(w.recycleBin.users.map((u) => [u.user.id, u])), accessKeys: w.recycleBin.accessKeys }
      : emptyRecycleBin(),
    clusters: new Map(w.clusters.map((c) => [c.id, c])),
    kubeconfigs: new Map(
      Object.entries(w.kubeconfigs).map(([uid, recs]) => [uid, new Map(recs.map((r) => [r.cluster, r]))]),
    ),
    grants: new Map(Object.entries(w.grants)),
    tasks: new Map(w.tasks.map((t) => [t.id, t])),
  };
}

/** The world saved in `file`, or undefined when there is no such file yet. */
export function readWorldFile(file: string): WorldState | undefined {
  return existsSync(file) ? deserializeWorld(readFileSync(file, 'utf8')) : undefined;
}
