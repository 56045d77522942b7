import { type FastifyReply, type FastifyRequest } from 'fastify';
import type {} from '@fastify/secure-session';
import { runPagePath } from '../../common/console-links';
import { isTerminalStage, OffboardingStage } from '../../common/stages';
import { type RunStatus } from '../../common/types';
import { type Problem } from '../problems';
import { type Services } from '../services';
import { verifiedDecisions } from '../temporal/audit';
import { isOpen, readRun } from '../temporal/runs';
import { sendPage } from './render';
import { actionsFor, blockedFacts, kubeconfigRows, timelineOf } from './run-view';

/**
 * The run page: read through the same `readRun` and `verifiedDecisions` as the JSON status and audit routes, shown
 * with the actions this person may take. A refused action renders the same page with the run's reason (and the
 * refusal's status), so the person sees both what happened and where the run is.
 */

const WAITING: readonly string[] = [OffboardingStage.AwaitingApproval, OffboardingStage.DependencyCheck];

export function stageClass(stage: string): string {
  if (stage === OffboardingStage.Blocked) return 'blocked';
  if (stage === OffboardingStage.Completed || stage === OffboardingStage.Revoked) return 'done';
  if (isTerminalStage(stage as OffboardingStage)) return 'ended';
  return WAITING.includes(stage) ? 'waiting' : 'active';
}

/** The Temporal UI's page of this run, when the console knows where the UI is. */
export function temporalUiLink(services: Pick<Services, 'config'>, workflowId: string, runId: string) {
  const ui = services.config.temporalUiUrl;
  if (!ui) return undefined;
  const ns = encodeURIComponent(services.config.temporal.namespace);
  return `${ui}/namespaces/${ns}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
}

/** The leak response's timer: from the start of a kubeconfig revocation to its verification. */
function timerOf(status: RunStatus) {
  if (status.workflow !== 'revokeKubeconfig') return undefined;
  return { start: status.startedAt, end: status.verification?.verifiedAt };
}

export async function sendRunPage(
  services: Pick<Services, 'config' | 'temporal'>,
  request: FastifyRequest,
  reply: FastifyReply,
  workflowId: string,
  refused?: Problem,
): Promise<FastifyReply> {
  const { run, status } = await readRun(await services.temporal.client(), services.config.temporal, workflowId);
  const open = isOpen(run);
  const notice = request.session.get('flash');
  if (notice) request.session.set('flash', undefined);
  const path = runPagePath(workflowId);
  return sendPage(
    request,
    reply,
    'run',
    { title: `${status.target.type}/${status.target.name}` },
    {
      workflowId,
      status,
      open,
      runPath: path,
      livePath: `${path}/events`,
      stageClass: stageClass(status.stage),
      notice,
      refused: refused && {
        detail: refused.detail,
        refusal: refused.extra.refusal,
        missingRole: refused.extra.missingRole,
      },
      timer: timerOf(status),
      actions: actionsFor(request.person!, status, open),
      blocked: status.blocked && blockedFacts(status.blocked),
      timeline: timelineOf(status),
      kubeconfigs: kubeconfigRows(status),
      decisions: verifiedDecisions(services.config, status.decisions),
      temporalUiLink: temporalUiLink(services, workflowId, run.info.runId),
    },
    refused?.status ?? 200,
  );
}
