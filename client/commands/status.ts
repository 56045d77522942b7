import { type CommandModule } from '../command';
import { ExitCode } from '../errors';
import { type RunFlags } from '../flags';
import { renderStatus } from '../render';
import { queryStatus, resolveRun } from '../runs';

/** `offboard status`: where the run is, what it waits for and since when, its findings and its audit trail. */
export const status: CommandModule<RunFlags> = {
  options: [],
  async action(ctx, flags) {
    const session = await ctx.temporal();
    const run = await resolveRun(session, ctx.env, flags);
    const runStatus = await queryStatus(session, run);
    const execution = { status: run.info.status.name, taskQueue: run.info.taskQueue };
    ctx.out.result(
      { workflowId: run.workflowId, runId: run.info.runId, execution, ...runStatus },
      renderStatus(run.workflowId, runStatus, execution, ctx.io.now()),
    );
    return ExitCode.Ok;
  },
};
