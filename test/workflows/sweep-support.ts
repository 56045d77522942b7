/**
 * What the sweep suites share: a generated account small enough for a test (several clusters, named and nameless
 * orphans, role orphans, recycle-bin users, expired and stale ones) under the harness's own account id, and a sweep
 * started as the API would start it (signed for the person).
 */
import { type Client } from '@temporalio/client';
import { onDemandSweepWorkflowId } from '../../common/ids';
import { type SweepInput } from '../../common/sweep';
import { startSweep } from '../../config/start-sweep';
import { DEFAULT_GENERATE_SPEC, generateFixture, type GeneratedSummary } from '../../emulator';
import { type Person, type TokenSigner } from '../../server/signer';
import { people } from '../support/trust';
import { type Unsigned } from './harness';

export const SMALL_ACCOUNT = {
  ...DEFAULT_GENERATE_SPEC,
  clusters: 4,
  identities: 30,
  orphans: 8,
  roleOrphans: 2,
  nameless: 2,
  recycled: 2,
  expired: 2,
  stale: 3,
  seed: 7,
};

/** The demo fixture's own orphan: former-contractor, deleted 60 days ago, kubeconfig on c-prod-1 still Unexpired. */
export const FORMER_CONTRACTOR_UID = '2034000000000099';

/** A harness `editFixture` that turns the demo fixture into the generated account (keeping the harness's account id). */
export function generatedAccount(spec = SMALL_ACCOUNT): {
  summary: GeneratedSummary;
  editFixture: (f: Record<string, unknown>) => void;
} {
  const { fixture, summary } = generateFixture(spec);
  return {
    summary,
    editFixture(f) {
      const account = { ...(fixture.account as object), id: (f.account as { id: string }).id };
      Object.assign(f, fixture, { account });
    },
  };
}

/** Every orphan the sweep must find: the generated ones and the demo's former-contractor, uid → clusters. */
export function expectedOrphans(summary: GeneratedSummary): Record<string, string[]> {
  return { ...summary.orphans, [FORMER_CONTRACTOR_UID]: ['c-prod-1'] };
}

export async function startSignedSweep(
  h: { client: Client; taskQueue: string; signer: TokenSigner; accountId: string },
  extra: Partial<Unsigned<SweepInput>> = {},
  person: Person = people.carol,
) {
  const request: Unsigned<SweepInput> = {
    accountId: h.accountId,
    mode: 'dry-run',
    requestedBy: person.subject,
    requestedByName: person.name,
    ...extra,
  };
  const workflowId = onDemandSweepWorkflowId(h.accountId, Date.now());
  const authorization = await h.signer.signRequest({
    workflow: 'sweepOrphanedKubeconfigs',
    workflowId,
    request,
    person,
  });
  return startSweep(h.client, workflowId, { ...request, authorization }, { taskQueue: h.taskQueue });
}
