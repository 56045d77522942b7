import { type FastifyInstance } from 'fastify';
import { decisionAction, type MessageArgsByName, type MessageName } from '../../common/messages';
import { problemResponses } from '../problems';
import { messageAccepted, type RunParams, runParams, text, workflowIdOf } from '../schemas';
import { type Services } from '../services';
import { decideOnRun } from '../temporal/decide';

/**
 * The decisions people send to a run, one route each. The role check comes first (403 naming the missing role);
 * then the API signs the decision for the person and the run checks it again — stage, four eyes on subjects, not
 * one's own offboarding, replay — answering 409 with its refusal type when it says no. Nothing changes then.
 */

const restoreAccess = { type: 'boolean', description: 'must be true or false' } as const;

export interface DecisionRoute<N extends MessageName> {
  path: string;
  message: N;
  summary: string;
  body: { required: string[]; properties: Record<string, unknown> };
  args(body: Record<string, unknown>): MessageArgsByName[N];
}

/** Each decision's path segment, rule summary, body schema and arguments: the JSON API's and the console's. */
export const decisionRoutesByName: { [N in MessageName]: DecisionRoute<N> } = {
  approveDeletion: {
    path: 'approve',
    message: 'approveDeletion',
    summary: 'Approve the deletion (admin; not the requester, not the target)',
    body: { required: [], properties: { comment: text } },
    args: (b) => ({ comment: b.comment as string | undefined }),
  },
  rejectDeletion: {
    path: 'reject',
    message: 'rejectDeletion',
    summary: 'Reject the deletion, optionally restoring access (admin; not the requester, not the target)',
    body: { required: ['reason', 'restoreAccess'], properties: { reason: text, restoreAccess } },
    args: (b) => ({ reason: b.reason as string, restoreAccess: b.restoreAccess as boolean }),
  },
  resolveDependencies: {
    path: 'resolve',
    message: 'resolveDependencies',
    summary: 'Answer a dependency finding: proceed or abort (admin; not the requester, not the target)',
    body: {
      required: ['decision', 'note'],
      properties: {
        decision: { type: 'string', enum: ['proceed', 'abort'], description: 'must be "proceed" or "abort"' },
        note: text,
      },
    },
    args: (b) => ({ decision: b.decision as 'proceed' | 'abort', reason: b.note as string }),
  },
  rescind: {
    path: 'rescind',
    message: 'rescind',
    summary: 'Rescind the offboarding before deletion begins; access comes back (the requester, or an admin)',
    body: { required: ['reason'], properties: { reason: text } },
    args: (b) => ({ reason: b.reason as string }),
  },
  retry: {
    path: 'retry',
    message: 'retry',
    summary: 'Retry the step a Blocked run stopped at (admin or oncall)',
    body: { required: [], properties: { reason: text } },
    args: (b) => ({ reason: b.reason as string | undefined }),
  },
  abort: {
    path: 'abort',
    message: 'abort',
    summary: 'Abort a Blocked run, optionally restoring access (admin or oncall)',
    body: { required: ['reason'], properties: { reason: text, restoreAccess } },
    args: (b) => ({ reason: b.reason as string, restoreAccess: b.restoreAccess as boolean | undefined }),
  },
  approveUndo: {
    path: 'approve-undo',
    message: 'approveUndo',
    summary: "Approve an undo: restore the user from RAM's recycle bin (admin; not the undo's requester, not the user)",
    body: { required: [], properties: { comment: text } },
    args: (b) => ({ comment: b.comment as string | undefined }),
  },
  rejectUndo: {
    path: 'reject-undo',
    message: 'rejectUndo',
    summary: "Reject an undo: the user stays deleted (admin; not the undo's requester, not the user)",
    body: { required: ['reason'], properties: { reason: text } },
    args: (b) => ({ reason: b.reason as string }),
  },
  confirmDeletions: {
    path: 'confirm-deletion',
    message: 'confirmDeletions',
    summary:
      "Confirm a deletion the blast-radius failsafe paused (a second admin: not the run's approver, not its requester)",
    body: { required: ['reason'], properties: { reason: text } },
    args: (b) => ({ reason: b.reason as string }),
  },
};

export function decisionRoutes(services: Services) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    // A decision without arguments may come without a body.
    app.addHook('preValidation', async (request) => {
      request.body ??= {};
    });

    for (const route of Object.values(decisionRoutesByName) as DecisionRoute<MessageName>[]) {
      app.post<{ Params: RunParams; Body: Record<string, unknown> }>(
        `/v1/runs/:kind/:account/:type/:name/${route.path}`,
        {
          config: { action: decisionAction[route.message] },
          schema: {
            summary: route.summary,
            tags: ['decisions'],
            params: runParams,
            body: { type: 'object', additionalProperties: false, ...route.body },
            response: { 200: messageAccepted, ...problemResponses(400, 401, 403, 404, 409, 413, 415, 503) },
          },
        },
        async (request) =>
          decideOnRun(services, workflowIdOf(request.params), route.message, route.args(request.body), request.person!),
      );
    }
  };
}
