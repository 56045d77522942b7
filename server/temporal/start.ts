import { type Client } from '@temporalio/client';
import { offboardWorkflowId, revokeKubeconfigWorkflowId } from '../../common/ids';
import { checkOffboardInput, checkRevokeInput, InvalidInputError } from '../../common/inputs';
import { type StartedWorkflow } from '../../common/requests';
import { type OffboardIdentityInput, type RevokeKubeconfigInput } from '../../common/types';
import { type TimingBounds } from '../../common/timing';
import { RunScopeConflictError, type Started, startOffboardIdentity, startRevokeKubeconfig } from '../../config/start';
import { type TemporalConfig } from '../../config/temporal';
import { badInput, Problem, ProblemType } from '../problems';
import { type Services } from '../services';
import { type Person, type TokenSigner } from '../signer';
import { temporalProblem } from './errors';
import { stageOf } from './runs';

/**
 * How the API starts a run: the input checked first (bad input never reaches Temporal), then signed for the person
 * who asked (the run verifies the signature before its first change), then started through the one start helper
 * (config/start.ts: id from the target, USE_EXISTING, search attributes, the UI's summary). A start for an identity
 * whose run is open joins that run, and says so.
 */

export interface StartContext {
  /** Connected only once the input has passed its checks. */
  client: () => Promise<Client>;
  temporal: TemporalConfig;
  signer: TokenSigner;
  workerIdentity: string;
  /** The bounds on durations and dates the worker applies: a request outside them is refused here first. */
  timing: TimingBounds;
}

/** The start context of the server's own services. */
export function startContextOf(services: Pick<Services, 'config' | 'temporal' | 'signer'>): StartContext {
  return {
    client: () => services.temporal.client(),
    temporal: services.config.temporal,
    signer: services.signer,
    workerIdentity: services.config.workerIdentity,
    timing: services.config.timing,
  };
}

export interface StartedRun {
  workflowId: string;
  runId: string;
  /** True when a run for this identity was already open: nothing new was started. */
  joined: boolean;
  stage?: string;
}

export type UnsignedOffboard = Omit<OffboardIdentityInput, 'authorization'>;
export type UnsignedRevoke = Omit<RevokeKubeconfigInput, 'authorization'>;

/** Refuses bad input before anything is signed or sent; the fields are named as in the request body. */
export function checkStartInput(
  workflow: StartedWorkflow,
  input: UnsignedOffboard | UnsignedRevoke,
  workerIdentity: string,
  timing: TimingBounds,
) {
  const check = workflow === 'offboardIdentity' ? checkOffboardInput : checkRevokeInput;
  const problems = check(input, { workerIdentity, timing });
  if (problems.length > 0) throw badInput(problems);
}

async function startAndTell(
  ctx: StartContext,
  workflowId: string,
  start: (client: Client) => Promise<Pick<Started<unknown>, 'runId' | 'joined' | 'description'>>,
): Promise<StartedRun> {
  const client = await ctx.client();
  try {
    const { runId, joined, description } = await start(client);
    return { workflowId, runId, joined, stage: stageOf(description) };
  } catch (err) {
    if (err instanceof InvalidInputError) throw badInput(err.problems);
    // Another scope for an identity whose run is open: refused, naming the running run (nothing started).
    if (err instanceof RunScopeConflictError) {
      throw new Problem(409, ProblemType.Refused, err.message, {
        refusal: 'RunScopeConflict',
        runningWorkflowId: err.workflowId,
      });
    }
    throw temporalProblem(err, ctx.temporal, `start ${workflowId}`);
  }
}

export async function startOffboarding(
  ctx: StartContext,
  request: UnsignedOffboard,
  person: Person,
  batchId?: string,
): Promise<StartedRun> {
  checkStartInput('offboardIdentity', request, ctx.workerIdentity, ctx.timing);
  const workflowId = offboardWorkflowId(request.accountId, request.target);
  const authorization = await ctx.signer.signRequest({ workflow: 'offboardIdentity', workflowId, request, person });
  return startAndTell(ctx, workflowId, (client) =>
    startOffboardIdentity(
      client,
      { ...request, authorization },
      { taskQueue: ctx.temporal.taskQueue, workerIdentity: ctx.workerIdentity, timing: ctx.timing, batchId },
    ),
  );
}

export async function startRevocation(ctx: StartContext, request: UnsignedRevoke, person: Person): Promise<StartedRun> {
  checkStartInput('revokeKubeconfig', request, ctx.workerIdentity, ctx.timing);
  const workflowId = revokeKubeconfigWorkflowId(request.accountId, request.target);
  const authorization = await ctx.signer.signRequest({ workflow: 'revokeKubeconfig', workflowId, request, person });
  return startAndTell(ctx, workflowId, (client) =>
    startRevokeKubeconfig(
      client,
      { ...request, authorization },
      { taskQueue: ctx.temporal.taskQueue, workerIdentity: ctx.workerIdentity, timing: ctx.timing },
    ),
  );
}

/** What a person asks for; the account is the server's, the requester is the person who signs. */
export type OffboardingRequest = Omit<UnsignedOffboard, 'accountId' | 'requestedBy' | 'requestedByName'>;
export type RevocationRequest = Omit<UnsignedRevoke, 'accountId' | 'requestedBy' | 'requestedByName'>;

type StartServices = Pick<Services, 'config' | 'temporal' | 'signer'>;

/** The server's account and the signing person as the requester. */
function requestedBy(services: StartServices, person: Person) {
  return { accountId: services.config.accountId, requestedBy: person.subject, requestedByName: person.name };
}

/**
 * Starts (or joins) an offboarding for `person`: the JSON API, the console's start form, the HR intake and the bulk
 * intake (with its `batchId`).
 */
export function offboardFor(
  services: StartServices,
  request: OffboardingRequest,
  person: Person,
  batchId?: string,
): Promise<StartedRun> {
  return startOffboarding(startContextOf(services), { ...request, ...requestedBy(services, person) }, person, batchId);
}

/** Starts (or joins) a kubeconfig revocation for `person`: the JSON API and the console's leak response. */
export function revokeFor(services: StartServices, request: RevocationRequest, person: Person): Promise<StartedRun> {
  return startRevocation(startContextOf(services), { ...request, ...requestedBy(services, person) }, person);
}
