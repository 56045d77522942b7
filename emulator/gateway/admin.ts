import type { ServerResponse } from 'node:http';
import { worldToJson } from '../state/persistence';
import type { WorldState } from '../state/world';
import { faultConfigSchema, type FaultInjector } from './faults';
import { isLoopback, type ReceivedRequest, sendJson } from './http';
import type { Journal } from './journal';
import type { ActionTable } from './routes';

/** The operator's endpoints under /__emulator/: journal, faults, reset, state. Served on loopback only. */

/** What the admin endpoints need from the running emulator. */
export interface AdminGateway {
  readonly actions: ActionTable;
  readonly faults: FaultInjector;
  readonly journal: Journal;
  /** Reloads the fixture; clears journal, faults, nonces. */
  reset(): void;
  settled(): WorldState;
}

// async: whatever throws becomes a rejection, which the server answers with a 500.
export async function serveAdmin(gw: AdminGateway, request: ReceivedRequest, res: ServerResponse): Promise<void> {
  const { req, rawPath, rawQuery, body } = request;
  if (!isLoopback(req.socket.remoteAddress)) {
    sendJson(res, 403, { error: 'the /__emulator/ endpoints are served on loopback only' });
    return;
  }
  const route = `${req.method} ${rawPath}`;
  switch (route) {
    case 'GET /__emulator/journal': {
      const since = Number(new URLSearchParams(rawQuery).get('since') ?? 0);
      sendJson(res, 200, gw.journal.list(Number.isFinite(since) ? since : 0));
      return;
    }
    case 'POST /__emulator/faults':
      try {
        const config = faultConfigSchema.parse(JSON.parse(body.toString('utf8') || '{}'));
        const { seed } = gw.faults.configure(config, gw.actions.names);
        sendJson(res, 200, { seed, rules: config.rules });
      } catch (err) {
        sendJson(res, 400, { error: `invalid fault rules: ${(err as Error).message}` });
      }
      return;
    case 'GET /__emulator/faults':
      sendJson(res, 200, gw.faults.describe());
      return;
    case 'DELETE /__emulator/faults':
      gw.faults.clear();
      sendJson(res, 200, {});
      return;
    case 'POST /__emulator/reset':
      try {
        gw.reset();
        sendJson(res, 200, {});
      } catch (err) {
        sendJson(res, 500, { error: (err as Error).message });
      }
      return;
    case 'GET /__emulator/state':
      sendJson(res, 200, worldToJson(gw.settled(), true));
      return;
    default:
      sendJson(res, 404, { error: `no admin endpoint ${route}` });
  }
}
