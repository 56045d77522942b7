import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { optionsSchema } from '../state/options';
import { worldToJson } from '../state/persistence';
import type { WorldState } from '../state/world';
import { faultConfigSchema, type FaultInjector } from './faults';
import { isLoopback, type ReceivedRequest, sendJson } from './http';
import type { Journal } from './journal';
import type { QuotaModel } from './quotas';
import type { ActionTable } from './routes';

/**
 * The operator's endpoints under /__emulator/: journal, quota counts, faults, reset, state, and the scenario switches (the world's
 * options, a cluster's switchable fields). Served on loopback only.
 */

/** What the admin endpoints need from the running emulator. */
export interface AdminGateway {
  readonly actions: ActionTable;
  readonly faults: FaultInjector;
  readonly journal: Journal;
  readonly quotas: QuotaModel;
  /** Reloads the fixture; clears journal, faults, nonces. */
  reset(): void;
  settled(): WorldState;
  markDirty(): void;
  /** Throws when the options name something that does not exist. */
  checkOptions(options: WorldState['options']): void;
}

/** What `POST /__emulator/clusters/<id>` may change: the cluster-level scenario switches. */
const clusterPatchSchema = z.strictObject({
  auditLog: z.boolean().optional(),
  certStatesUnknown: z.boolean().optional(),
  kubeconfigStatesDenied: z.boolean().optional(),
  state: z.string().min(1).optional(),
});

const CLUSTER_ROUTE = /^POST \/__emulator\/clusters\/([^/]+)$/;

// async: whatever throws becomes a rejection, which the server answers with a 500.
export async function serveAdmin(gw: AdminGateway, request: ReceivedRequest, res: ServerResponse): Promise<void> {
  const { req, rawPath, rawQuery, body } = request;
  if (!isLoopback(req.socket.remoteAddress)) {
    sendJson(res, 403, { error: 'the /__emulator/ endpoints are served on loopback only' });
    return;
  }
  const route = `${req.method} ${rawPath}`;
  const json = (): unknown => JSON.parse(body.toString('utf8') || '{}');
  /** Runs a change; a bad request body is a 400 that says what is wrong. */
  const change = (what: string, apply: () => unknown): void => {
    try {
      sendJson(res, 200, apply());
    } catch (err) {
      sendJson(res, 400, { error: `invalid ${what}: ${(err as Error).message}` });
    }
  };
  switch (route) {
    case 'GET /__emulator/journal': {
      const since = Number(new URLSearchParams(rawQuery).get('since') ?? 0);
      sendJson(res, 200, gw.journal.list(Number.isFinite(since) ? since : 0));
      return;
    }
    case 'GET /__emulator/quotas':
      sendJson(res, 200, { quotas: gw.settled().options.quotas, calls: gw.quotas.tally() });
      return;
    case 'POST /__emulator/faults':
      change('fault rules', () => {
        const config = faultConfigSchema.parse(json());
        const { seed } = gw.faults.configure(config, gw.actions.names);
        return { seed, rules: config.rules };
      });
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
    case 'GET /__emulator/options':
      sendJson(res, 200, gw.settled().options);
      return;
    case 'POST /__emulator/options':
      change('options', () => {
        const world = gw.settled();
        // Merged over the current options, then checked whole: a patch names only what it changes.
        const next = optionsSchema.parse({ ...world.options, ...(json() as object) });
        gw.checkOptions(next);
        world.options = next;
        gw.markDirty();
        return next;
      });
      return;
  }
  const cluster = CLUSTER_ROUTE.exec(route);
  if (cluster) {
    const target = gw.settled().clusters.get(decodeURIComponent(cluster[1]));
    if (!target) {
      sendJson(res, 404, { error: `no cluster ${cluster[1]}` });
      return;
    }
    change('cluster switches', () => {
      Object.assign(target, clusterPatchSchema.parse(json()));
      gw.markDirty();
      return target;
    });
    return;
  }
  sendJson(res, 404, { error: `no admin endpoint ${route}` });
}
