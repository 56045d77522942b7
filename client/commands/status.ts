import { type CommandModule } from '../command';
import { ExitCode } from '../errors';
import { type RunFlags } from '../flags';
import { renderStatus } from '../render';
import { getStatus, resolveRun } from '../runs';

/** `offboard status`: where the run is, what it waits for and since when, its findings and its audit trail. */
export const status: CommandModule<RunFlags> = {
  options: [],
  async action(ctx, flags) {
    const run = await resolveRun(() => ctx.api(), flags);
    const doc = await getStatus(ctx.api(), run);
    ctx.out.result(doc, renderStatus(run.workflowId, doc, doc.execution, ctx.io.now()));
    return ExitCode.Ok;
  },
};
