/**
 * Time to verified revocation (offboard_revocation_verified_seconds): observed where a verifyRevocation activity of an
 * offboarding or a kubeconfig revocation succeeds, from its run's start.
 *
 * The run's start comes from Temporal (describe of the run, through the worker's own client), not from the activity
 * input: no workflow or history contract changes for a metric, and the figure is the server's, the same one
 * `offboard status` shows. One describe per verified run, after the activity has returned its result; a failed
 * describe drops the observation rather than delay or fail the run.
 */
import { type Context } from '@temporalio/activity';
import { type ActivityInterceptorsFactory } from '@temporalio/worker';
import { type OffboardMetrics } from '../activities/metrics';

const TIMED_WORKFLOWS: ReadonlySet<string> = new Set(['offboardIdentity', 'revokeKubeconfig']);

export function revocationTimer(metrics: OffboardMetrics): ActivityInterceptorsFactory {
  return (ctx: Context) => ({
    inbound: {
      async execute(input, next) {
        const result = await next(input);
        const { activityType, workflowType, workflowExecution } = ctx.info;
        if (
          activityType === 'verifyRevocation' &&
          workflowType &&
          TIMED_WORKFLOWS.has(workflowType) &&
          workflowExecution
        ) {
          const verifiedAt = Date.now();
          // Asked after the result is in hand and never awaited: the metric cannot delay or fail the activity.
          Promise.resolve()
            .then(() => ctx.client.workflow.getHandle(workflowExecution.workflowId, workflowExecution.runId).describe())
            .then((run) => {
              metrics.revocationVerified.observe(
                { workflow: workflowType },
                Math.max(0, verifiedAt - run.startTime.getTime()) / 1000,
              );
            })
            .catch(() => undefined); // no client, or the server unreachable now: one observation fewer
        }
        return result;
      },
    },
  });
}
