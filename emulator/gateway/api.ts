import type { ServerResponse } from 'node:http';
import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import type { ActionDef, CallContext, Caller } from '../action';
import { ApiError } from '../api-error';
import type { TaskState, WorldState } from '../state/world';
import { authenticate } from './authenticate';
import { authorize } from './authorize';
import { CallRecord } from './call-record';
import { applyFaultBefore, type FaultInjector, TASK_ENDING_FAULTS } from './faults';
import { type ReceivedRequest, sendJson, sendRaw } from './http';
import { type Journal, journalLine } from './journal';
import type { QuotaModel } from './quotas';
import type { NonceStore } from './replay';
import { errorReply, type Reply, successReply } from './render';
import { type ActionTable, notFoundAction } from './routes';
import { parseQuery } from './signature';

/**
 * One API call through the gateway, as named steps: parse → authenticate → quota → fault → dispatch → render →
 * journal.
 * Each step adds what it learns to the call's CallRecord; a step that refuses throws an ApiError, which is answered
 * in the product's error format like an operation's own error.
 */

/** What the steps need from the running emulator. */
export interface ApiGateway {
  readonly actions: ActionTable;
  readonly faults: FaultInjector;
  readonly nonces: NonceStore;
  readonly quotas: QuotaModel;
  readonly journal: Journal;
  readonly taskDelayMs: number;
  /** The world as it is: enough to check a key. */
  readonly world: WorldState;
  /** The world with every due clean task landed and every due recycle-bin entry purged: what an operation sees. */
  settled(): WorldState;
  /** The world changed: persist it. */
  markDirty(): void;
  /** Follows a clean task an operation has just started. */
  startTask(task: TaskState): void;
  log(line: string): void;
  /** Whether each call is logged: formatting a line costs time on the hot path, so only when someone reads it. */
  readonly logCalls: boolean;
}

/** One call on its way through the steps. */
interface Call {
  readonly request: ReceivedRequest;
  readonly res: ServerResponse;
  /** The clock of every check and change the call makes. */
  readonly now: number;
  readonly record: CallRecord;
}

export async function serveApiCall(gw: ApiGateway, request: ReceivedRequest, res: ServerResponse): Promise<void> {
  const record = new CallRecord(gw.actions.route(request), request.started);
  const call: Call = { request, res, now: Date.now(), record };
  const reply = await answer(gw, call);
  if (reply) send(call, reply);
  journal(gw, record);
}

/** The steps up to the answer; undefined when a fault dropped the connection before any. */
async function answer(gw: ApiGateway, call: Call): Promise<Reply | undefined> {
  try {
    const { def, query } = parse(call);
    const caller = authenticate(gw.world, gw.nonces, call.request, query, call.now, call.record);
    gw.markDirty();
    gw.quotas.admit(gw.world.options.quotas, gw.world.account.id, def, call.now);
    const fault = gw.faults.pick(def.name);
    call.record.fault = fault;
    if (fault) {
      const applied = await applyFaultBefore(fault, call.res);
      if (applied === 'dropped') return undefined;
      if (applied !== 'continue') {
        call.record.failed(applied.status);
        return applied;
      }
    }
    return renderSuccess(call, dispatch(gw, call, def, caller));
  } catch (err) {
    return renderError(gw, call, err);
  }
}

/** The query, and the operation the route names; refuses an unknown operation or an oversized body. */
function parse({ request, record }: Call): { def: ActionDef; query: [string, string][] } {
  const query = parseQuery(request.rawQuery);
  record.query = Object.fromEntries(query);
  if (!record.route.def) throw notFoundAction(record.route);
  if (request.tooLarge) throw new ApiError(E.csInvalidParameter, 413, 'The request body is too large.');
  return { def: record.route.def, query };
}

/** Runs the operation on the settled world, once the caller is authorized for it. */
function dispatch(gw: ApiGateway, { request, record, now }: Call, def: ActionDef, caller: Caller): unknown {
  if (record.route.product === 'cs' && request.body.length > 0) record.body = parseJsonBody(request.body);
  const ctx: CallContext = {
    world: gw.settled(),
    caller,
    now,
    requestId: record.requestId,
    taskDelayMs: gw.taskDelayMs,
    endTaskAs: record.fault && TASK_ENDING_FAULTS[record.fault.kind],
    startTask: (task) => gw.startTask(task),
  };
  authorize(ctx, def);
  return def.run(ctx, { path: record.route.pathParams, query: record.query, body: record.body });
}

function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiError(E.csInvalidParameter, 400, 'The request body is not valid JSON.');
  }
}

function renderSuccess({ record }: Call, result: unknown): Reply {
  const reply = successReply(record.route.product, result, record.requestId);
  record.succeeded(reply.status, reply.body);
  return reply;
}

/** Anything but an ApiError is a bug in the emulator: logged, and answered as the service's InternalError. */
function renderError(gw: ApiGateway, { record }: Call, err: unknown): Reply {
  if (!(err instanceof ApiError)) {
    gw.log(`internal error in ${record.route.action}: ${(err as Error).stack ?? String(err)}`);
  }
  const apiErr =
    err instanceof ApiError
      ? err
      : new ApiError(E.internalError, 500, 'The request processing has failed due to some unknown error.');
  record.failed(apiErr.status, apiErr.code);
  return errorReply(record.route.product, apiErr, record.requestId);
}

function send({ res, record }: Call, reply: Reply): void {
  if (record.fault?.kind === 'drop') {
    // `processed: true`: the call took effect, then the connection is cut before the answer. The journal says what
    // happened on this side (the operation's own outcome, fault 'drop'): a delete whose answer was lost still
    // deleted, and order checks must see it.
    res.socket?.destroy();
    return;
  }
  if (reply.raw !== undefined) sendRaw(res, reply.status, reply.raw, reply.headers);
  else sendJson(res, reply.status, reply.body, { 'x-acs-request-id': record.requestId, ...reply.headers });
}

function journal(gw: ApiGateway, record: CallRecord): void {
  const entry = gw.journal.add(record.toJournalEntry());
  if (gw.logCalls) gw.log(journalLine(entry));
}
