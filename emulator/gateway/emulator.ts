import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CleanTasks, csActions } from '../cs';
import { ramActions } from '../ram';
import { imsActions } from '../ims';
import { DebouncedWriter } from '../state/debounced-writer';
import { DEFAULT_FIXTURE_PATH, loadFixture } from '../state/fixture';
import type { Fixture } from '../state/fixture-schema';
import { worldFromFixture } from '../state/from-fixture';
import { readWorldFile, serializeWorld } from '../state/persistence';
import { purgeDue } from '../state/recycle-bin';
import type { TaskState, WorldState } from '../state/world';
import { stsActions } from '../sts';
import { type AdminGateway, serveAdmin } from './admin';
import { type ApiGateway, serveApiCall } from './api';
import { FaultInjector } from './faults';
import { receive, sendJson } from './http';
import { Journal } from './journal';
import { QuotaModel, unknownQuotaKeys } from './quotas';
import { NonceStore } from './replay';
import { ActionTable } from './routes';

/**
 * The emulator as a running HTTP server: it owns the world (from the fixture, or the state file when there is one),
 * the journal, the faults and the clean tasks, and hands each request to the API steps (api.ts) or the admin
 * endpoints (admin.ts).
 */

export interface EmulatorOptions {
  /** 0 = pick a free port; default 0 in code, 18080 from the CLI. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default emulator/fixtures/demo.json. */
  fixturePath?: string;
  /** Persist state to this JSON file across restarts (loaded instead of the fixture when it exists). */
  statePath?: string;
  /** Delay before an async clean task lands; default 300. */
  taskDelayMs?: number;
  log?: (line: string) => void;
}

export interface RunningEmulator {
  /** '127.0.0.1:<port>': what goes in the SDK Config.endpoint (with protocol 'http'). */
  endpoint: string;
  /** 'http://127.0.0.1:<port>'. */
  url: string;
  port: number;
  /** The loaded fixture, including access keys and their (demo) secrets, so tests can build SDK clients. */
  fixture: Fixture;
  /** Reload the fixture; clear journal, faults, nonces. */
  reset(): void;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emulator = new Emulator(options);
  return emulator.listen(options.port ?? 0, options.host ?? '127.0.0.1');
}

class Emulator implements ApiGateway, AdminGateway {
  readonly actions = new ActionTable(csActions, [...ramActions, ...stsActions, ...imsActions]);
  readonly journal = new Journal();
  readonly faults = new FaultInjector();
  readonly nonces = new NonceStore();
  readonly quotas = new QuotaModel();
  readonly taskDelayMs: number;
  readonly log: (line: string) => void;
  readonly logCalls: boolean;
  fixture: Fixture;
  world: WorldState;
  private readonly fixturePath: string;
  private readonly tasks = new CleanTasks(() => this.settled());
  private readonly persister: DebouncedWriter | undefined;
  private server: Server | undefined;

  constructor(options: EmulatorOptions) {
    this.fixturePath = options.fixturePath ?? DEFAULT_FIXTURE_PATH;
    this.taskDelayMs = options.taskDelayMs ?? 300;
    this.log = options.log ?? (() => undefined);
    this.logCalls = options.log !== undefined;
    this.fixture = loadFixture(this.fixturePath);
    const restored = options.statePath ? readWorldFile(options.statePath) : undefined;
    if (restored) this.log(`state loaded from ${options.statePath}`);
    this.world = restored ?? worldFromFixture(this.fixture, Date.now());
    this.checkOptions(this.world.options);
    const now = Date.now();
    for (const task of this.world.tasks.values()) if (task.state === 'running') this.tasks.track(task, now);
    if (options.statePath) {
      this.persister = new DebouncedWriter(
        options.statePath,
        () => serializeWorld(this.settled()),
        (err) => this.log(`state write failed: ${err.message}`),
      );
    }
  }

  async listen(port: number, host: string): Promise<RunningEmulator> {
    // RPC products carry every parameter in the query: a 6144-character policy document, percent-encoded, is
    // beyond Node's default 16 KiB of headers.
    const server = createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => this.onRequest(req, res));
    // Longer than any client idle time, so a keep-alive socket is never closed under a request being sent on it.
    server.keepAliveTimeout = 65_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.persister?.markDirty();
    await this.persister?.flush();
    const actual = (server.address() as AddressInfo).port;
    const shownHost = host.includes(':') ? `[${host}]` : host;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the returned object exposes live fields
    const self = this;
    return {
      endpoint: `${shownHost}:${actual}`,
      url: `http://${shownHost}:${actual}`,
      port: actual,
      get fixture() {
        return self.fixture;
      },
      reset: () => this.reset(),
      close: () => this.close(),
    };
  }

  reset(): void {
    this.fixture = loadFixture(this.fixturePath);
    this.world = worldFromFixture(this.fixture, Date.now());
    this.checkOptions(this.world.options);
    this.journal.clear();
    this.faults.clear();
    this.nonces.clear();
    this.quotas.clear();
    this.tasks.clear();
    this.persister?.markDirty();
  }

  private async close(): Promise<void> {
    this.tasks.stopTimers();
    const server = this.server;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    await this.persister?.flush();
  }

  settled(): WorldState {
    const now = Date.now();
    // Both run: `||` would skip the purge whenever a task landed.
    const landed = this.tasks.land(this.world, now);
    const purged = purgeDue(this.world, now);
    if (landed || purged) this.markDirty();
    return this.world;
  }

  markDirty(): void {
    this.persister?.markDirty();
  }

  /** Throws unless every quota key names an operation or a group (a typo would silently limit nothing). */
  checkOptions(options: WorldState['options']): void {
    const unknown = unknownQuotaKeys(options.quotas, this.actions.names);
    if (unknown.length > 0) throw new Error(`quotas: unknown operation or group ${unknown.join(', ')}`);
  }

  startTask(task: TaskState): void {
    // A task is created at its call's `now`, the time its delay counts from.
    this.tasks.track(task, task.created);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    receive(req, (request) => {
      const done = request.rawPath.startsWith('/__emulator/')
        ? serveAdmin(this, request, res)
        : serveApiCall(this, request, res);
      done.catch((err: Error) => {
        this.log(`internal error: ${err.stack ?? err.message}`);
        if (!res.headersSent) sendJson(res, 500, { error: err.message });
      });
    });
  }
}
