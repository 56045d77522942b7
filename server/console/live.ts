import { type FastifyInstance } from 'fastify';
import { CONSOLE_RUNS_PATH } from '../../common/console-links';
import { type RunParams, runParams, workflowIdOf } from '../schemas';
import { type Services } from '../services';
import { getRun, isOpen, stageOf } from '../temporal/runs';
import { page, requireRole } from './pages';

/**
 * A run's stage as server-sent events, for the run page's script (assets/console.js), which swaps in the new page when
 * the stage moves. The stage comes from the run's search attribute (Temporal visibility: no worker call, cheap to
 * poll). The stream ends when the run ends, when the browser goes away, or after a while (EventSource reconnects).
 */

const POLL_MS = 500;
const STREAM_MS = 10 * 60_000;

export function liveRoutes(services: Services) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.get<{ Params: RunParams }>(
      `${CONSOLE_RUNS_PATH}/:kind/:account/:type/:name/events`,
      { ...page, schema: { ...page.schema, params: runParams } },
      async (request, reply) => {
        requireRole(request, 'read');
        const workflowId = workflowIdOf(request.params);
        const client = await services.temporal.client();
        const temporal = services.config.temporal;
        await getRun(client, temporal, workflowId); // 404 before the stream starts

        reply.hijack();
        const out = reply.raw;
        out.writeHead(200, {
          ...(reply.getHeaders() as Record<string, string>),
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
        });
        let closed = false;
        request.raw.on('close', () => (closed = true));
        const until = Date.now() + STREAM_MS;
        let last: string | undefined;
        out.write('retry: 2000\n\n');
        while (!closed && Date.now() < until) {
          try {
            const run = await getRun(client, temporal, workflowId);
            const stage = stageOf(run.info) ?? '';
            const open = isOpen(run);
            if (stage !== last) {
              out.write(`event: stage\ndata: ${JSON.stringify({ stage, open })}\n\n`);
              last = stage;
            }
            if (!open) break;
          } catch {
            break; // the page still works: a reload shows the stage
          }
          await new Promise((r) => setTimeout(r, POLL_MS));
        }
        out.end();
      },
    );
  };
}
