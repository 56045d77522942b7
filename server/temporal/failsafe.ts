import { WorkflowNotFoundError } from '@temporalio/client';
import { DEFAULT_BATCH_CONCURRENCY } from '../../common/batch';
import {
  confirmFailsafeUpdate,
  deletionFailsafeWorkflowId,
  type FailsafeConfirmation,
  failsafeStatusQuery,
  type FailsafeStatus,
} from '../../common/deletion-failsafe';
import { MessageRefusal } from '../../common/errors';
import { SearchAttributes } from '../../common/search-attributes';
import { OffboardingStage } from '../../common/stages';
import { firstRunIdOf } from '../../config/start';
import { Problem } from '../problems';
import { type Services } from '../services';
import { type Person } from '../signer';
import { sendEach } from './batch';
import { decideOnRun, updateIdOf } from './decide';
import { temporalProblem } from './errors';
import { withRpcDeadline } from './runs';

/**
 * The blast-radius failsafe as the API shows and confirms it (common/deletion-failsafe.ts). Status: the account's
 * governor (its window, limit, pause and held runs) and the runs paused in DeletionPaused. Confirm: each paused run
 * gets its own signed `confirmDeletions` for the person, which the run checks itself (an admin, not its approver,
 * not its requester) and records; then the governor gets one, and starts a new window — unless every run that
 * answered refused this person (the approver of the whole batch, say): then nothing changes.
 */

type FailsafeServices = Pick<Services, 'config' | 'temporal' | 'signer'>;

export interface FailsafeView {
  accountId: string;
  /** The governor's state; null when no deletion was ever counted on the account (no governor yet). */
  governor: FailsafeStatus | null;
  /** Runs waiting in DeletionPaused, from the governor and from visibility. */
  paused: Array<{ workflowId: string; target?: string }>;
}

export interface FailsafeConfirmRun {
  workflowId: string;
  target?: string;
  status: 'confirmed' | 'refused' | 'notPaused';
  refusal?: string;
  reason?: string;
}

export interface FailsafeConfirmResult {
  accountId: string;
  summary: { confirmed: number; refused: number; notPaused: number };
  runs: FailsafeConfirmRun[];
  /** The governor's answer: a new window began (released: how many it held), or why it stays paused. */
  governor: { confirmed: true; released: number } | { confirmed: false; reason: string };
}

/** Runs the answer of a refusal that is about the person, not the run's stage: the governor stays paused then. */
const deciderRefusals: readonly string[] = [
  MessageRefusal.SecondAdmin,
  MessageRefusal.FourEyes,
  MessageRefusal.NotAnAdmin,
  MessageRefusal.OwnOffboarding,
];

async function governorStatus(services: FailsafeServices): Promise<FailsafeStatus | null> {
  const client = await services.temporal.client();
  const handle = client.workflow.getHandle(deletionFailsafeWorkflowId(services.config.accountId));
  try {
    return await withRpcDeadline(client, () => handle.query(failsafeStatusQuery));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw temporalProblem(err, services.config.temporal, 'read the blast-radius failsafe');
  }
}

/** Runs in DeletionPaused by visibility (which may lag a second behind: the governor's held list covers that). */
async function pausedInVisibility(services: FailsafeServices): Promise<Array<{ workflowId: string; target?: string }>> {
  const client = await services.temporal.client();
  const query = [
    `WorkflowType = 'offboardIdentity'`,
    `ExecutionStatus = 'Running'`,
    `${SearchAttributes.account.name} = '${services.config.accountId}'`,
    `${SearchAttributes.stage.name} = '${OffboardingStage.DeletionPaused}'`,
  ].join(' AND ');
  const runs: Array<{ workflowId: string; target?: string }> = [];
  try {
    for await (const info of client.workflow.list({ query, pageSize: 1000 })) {
      runs.push({ workflowId: info.workflowId, target: info.typedSearchAttributes.get(SearchAttributes.target) });
    }
  } catch (err) {
    throw temporalProblem(err, services.config.temporal, 'list the runs paused by the blast-radius failsafe');
  }
  return runs;
}

export async function failsafeView(services: FailsafeServices): Promise<FailsafeView> {
  const [governor, listed] = await Promise.all([governorStatus(services), pausedInVisibility(services)]);
  const paused = new Map(listed.map((r) => [r.workflowId, r]));
  for (const h of governor?.held ?? []) {
    if (!paused.has(h.workflowId)) paused.set(h.workflowId, { workflowId: h.workflowId, target: h.targetRef });
  }
  return { accountId: services.config.accountId, governor, paused: [...paused.values()] };
}

async function confirmGovernor(services: FailsafeServices, reason: string, person: Person) {
  const client = await services.temporal.client();
  const handle = client.workflow.getHandle(deletionFailsafeWorkflowId(services.config.accountId));
  try {
    const runId = firstRunIdOf(await withRpcDeadline(client, () => handle.describe()));
    const token = await services.signer.signDecision({
      workflowId: handle.workflowId,
      runId,
      decision: 'confirmDeletions',
      args: { reason },
      person,
    });
    return await withRpcDeadline<FailsafeConfirmation>(client, () =>
      handle.executeUpdate(confirmFailsafeUpdate, { args: [{ token }], updateId: updateIdOf(token) }),
    );
  } catch (err) {
    throw temporalProblem(err, services.config.temporal, 'confirm the blast-radius failsafe');
  }
}

export async function confirmFailsafe(
  services: FailsafeServices,
  reason: string,
  person: Person,
): Promise<FailsafeConfirmResult> {
  const { accountId } = services.config;
  const view = await failsafeView(services);
  const { results: runs, down } = await sendEach(
    view.paused,
    DEFAULT_BATCH_CONCURRENCY,
    async (run): Promise<FailsafeConfirmRun> => {
      await decideOnRun(services, run.workflowId, 'confirmDeletions', { reason }, person);
      return { ...run, status: 'confirmed' };
    },
    (run, err): FailsafeConfirmRun => {
      if (!(err instanceof Problem)) throw err;
      const refusal = err.extra.refusal ?? err.type;
      // No longer paused (it went on, ended, or was rescinded): nothing to confirm there.
      if (refusal === MessageRefusal.WrongStage || err.status === 404) {
        return { ...run, status: 'notPaused', reason: err.detail };
      }
      return { ...run, status: 'refused', refusal, reason: err.detail };
    },
  );
  runs.sort((a, b) => a.workflowId.localeCompare(b.workflowId));
  const count = (s: FailsafeConfirmRun['status']) => runs.filter((r) => r.status === s).length;
  const summary = { confirmed: count('confirmed'), refused: count('refused'), notPaused: count('notPaused') };
  if (down) throw down;

  let governor: FailsafeConfirmResult['governor'];
  const refusedAsPerson = runs.some((r) => r.status === 'refused' && deciderRefusals.includes(r.refusal ?? ''));
  if (!view.governor) {
    governor = { confirmed: false, reason: 'no deletion was counted on this account yet: nothing is paused' };
  } else if (summary.confirmed === 0 && refusedAsPerson) {
    governor = {
      confirmed: false,
      reason: 'every paused run refused you: the failsafe stays paused until a second admin confirms',
    };
  } else {
    const answer = await confirmGovernor(services, reason, person);
    governor = { confirmed: true, released: answer.released };
  }
  return { accountId, summary, runs, governor };
}
