/**
 * The account of a bulk offboarding, shared by the bulk benchmark (scripts/bench-bulk.ts) and the two-worker test:
 * N live RAM users (`gen-user-00001`…), each with a console login and kubeconfigs on two clusters last used 30 days
 * ago — past the 7 days within which Alibaba refuses a clean without force, so no run waits for an admin before its
 * approval — and nothing else (no orphans, no stale users).
 */
import { DEFAULT_GENERATE_SPEC, generateFixture } from '../../emulator';

export function departingUserNames(identities: number): string[] {
  return Array.from({ length: identities }, (_, i) => `gen-user-${String(i + 1).padStart(5, '0')}`);
}

/** The generated fixture of `identities` departing users under `accountId`. */
export function departingUsersFixture(identities: number, accountId: string): Record<string, unknown> {
  const { fixture } = generateFixture({
    ...DEFAULT_GENERATE_SPEC,
    clusters: 2,
    identities,
    orphans: 0,
    roleOrphans: 0,
    nameless: 0,
    recycled: 0,
    expired: 0,
    stale: 0,
  });
  fixture.account = { ...(fixture.account as object), id: accountId };
  for (const k of fixture.kubeconfigs as { identity: string; lastAccess?: string }[]) {
    if (k.identity.startsWith('user/gen-user-')) k.lastAccess = '-30d';
  }
  return fixture;
}
