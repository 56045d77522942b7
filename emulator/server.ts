import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Router from 'find-my-way';
import { AlibabaErrorCodes as E } from '../common/alibaba-error-codes';
import { csActions, settleTasks } from './cs';
import { ApiError, errorBody, notFoundAction, type Product } from './errors';
import { faultConfigSchema, FaultInjector, type FaultRule } from './faults';
import { DEFAULT_FIXTURE_PATH, type Fixture, loadFixture } from './fixture';
import { Journal, type JournalCaller } from './journal';
import { type ActionDef, authorize, type CallContext, type Caller, findAccessKey } from './model';
import { DebouncedWriter } from './persist';
import { ramActions } from './ram';
import { checkTimestamp, NonceStore, parseAuthorization, parseQuery, verifySignature } from './signature';
import { deserializeWorld, serializeWorld, type WorldState, worldFromFixture, worldToJson } from './state';

export type { Fixture } from './fixture';
export { fixtureCredentials, DEFAULT_FIXTURE_PATH } from './fixture';
export type { JournalEntry } from './journal';

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

const RAM_VERSION = '2015-05-01';
const CS_VERSION = '2015-12-15';
const MAX_BODY_BYTES = 1 << 20;
const ANONYMOUS: JournalCaller = { accessKeyId: '', identity: 'anonymous', uid: '' };

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emulator = new Emulator(options);
  return emulator.listen(options.port ?? 0, options.host ?? '127.0.0.1');
}

class Emulator {
  private readonly fixturePath: string;
  private fixture: Fixture;
  private world: WorldState;
  private readonly journal = new Journal();
  private readonly faults = new FaultInjector();
  private readonly nonces = new NonceStore();
  private readonly pendingTasks = new Set<string>();
  private readonly taskTimers = new Set<NodeJS.Timeout>();
  private readonly taskDelayMs: number;
  private readonly log: (line: string) => void;
  private readonly logCalls: boolean;
  private readonly persister: DebouncedWriter | undefined;
  private readonly router = Router();
  private readonly ram = new Map<string, ActionDef>();
  private readonly actionNames: Set<string>;
  private server: Server | undefined;

  constructor(options: EmulatorOptions) {
    this.fixturePath = options.fixturePath ?? DEFAULT_FIXTURE_PATH;
    this.taskDelayMs = options.taskDelayMs ?? 300;
    this.log = options.log ?? (() => undefined);
    // Formatting a line per call costs time on the hot path; only do it when someone reads it.
    this.logCalls = options.log !== undefined;
    this.fixture = loadFixture(this.fixturePath);
    if (options.statePath && existsSync(options.statePath)) {
      this.world = deserializeWorld(readFileSync(options.statePath, 'utf8'));
      this.log(`state loaded from ${options.statePath}`);
    } else {
      this.world = worldFromFixture(this.fixture, Date.now());
    }
    for (const t of this.world.tasks.values()) {
      if (t.state !== 'running') continue;
      // A task restored from the state file still lands at its original time.
      this.pendingTasks.add(t.id);
      this.scheduleSettle(t.landsAt - Date.now());
    }
    if (options.statePath) {
      this.persister = new DebouncedWriter(
        options.statePath,
        () => serializeWorld(this.settled()),
        (err) => this.log(`state write failed: ${err.message}`),
      );
    }
    for (const def of csActions) this.router.on(def.method!, def.path!, () => undefined, def);
    for (const def of ramActions) this.ram.set(def.name, def);
    this.actionNames = new Set([...csActions, ...ramActions].map((d) => d.name));
  }

  async listen(port: number, host: string): Promise<RunningEmulator> {
    const server = createServer((req, res) => this.onRequest(req, res));
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

  private reset(): void {
    this.fixture = loadFixture(this.fixturePath);
    this.world = worldFromFixture(this.fixture, Date.now());
    this.journal.clear();
    this.faults.clear();
    this.nonces.clear();
    this.pendingTasks.clear();
    for (const t of this.taskTimers) clearTimeout(t);
    this.taskTimers.clear();
    this.persister?.markDirty();
  }

  private async close(): Promise<void> {
    for (const t of this.taskTimers) clearTimeout(t);
    this.taskTimers.clear();
    const server = this.server;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    await this.persister?.flush();
  }

  /** The world with every due clean task landed. */
  private settled(): WorldState {
    if (settleTasks(this.world, this.pendingTasks, Date.now())) this.persister?.markDirty();
    return this.world;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      const body = chunks.length === 0 ? EMPTY : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const rawPath = q < 0 ? url : url.slice(0, q);
      const rawQuery = q < 0 ? '' : url.slice(q + 1);
      const done = rawPath.startsWith('/__emulator/')
        ? this.admin(req, res, rawPath, rawQuery, body)
        : this.api(req, res, rawPath, rawQuery, body, size > MAX_BODY_BYTES, started);
      done.catch((err: Error) => {
        this.log(`internal error: ${err.stack ?? err.message}`);
        if (!res.headersSent) sendJson(res, 500, { error: err.message });
      });
    });
  }

  // ---- the API surface ---------------------------------------------------------------------------------------------

  private async api(
    req: IncomingMessage,
    res: ServerResponse,
    rawPath: string,
    rawQuery: string,
    body: Buffer,
    tooLarge: boolean,
    started: number,
  ): Promise<void> {
    const now = Date.now();
    const requestId = randomUUID().toUpperCase();
    const method = req.method ?? 'GET';
    const headerAction = header(req, 'x-acs-action');
    const version = header(req, 'x-acs-version');
    const product: Product = version === RAM_VERSION || (method === 'POST' && rawPath === '/') ? 'ram' : 'cs';

    let def: ActionDef | undefined;
    let pathParams: Record<string, string> = {};
    if (product === 'ram') {
      def =
        method === 'POST' && rawPath === '/' && version === RAM_VERSION ? this.ram.get(headerAction ?? '') : undefined;
    } else {
      const found = this.router.find(method as Router.HTTPMethod, rawPath);
      if (found && version === CS_VERSION) {
        def = found.store as ActionDef;
        pathParams = found.params as Record<string, string>;
      }
    }
    const action = def?.name ?? headerAction ?? `${method} ${rawPath}`;

    let caller: JournalCaller = ANONYMOUS;
    let query: Record<string, string> = {};
    let parsedBody: unknown;
    let fault: FaultRule | undefined;
    let status = 200;
    let responseBody: unknown;
    let errorCode: string | undefined;
    let extraHeaders: Record<string, string> | undefined;
    try {
      const pairs = parseQuery(rawQuery);
      query = Object.fromEntries(pairs);
      if (!def) throw notFoundAction(`${product} ${action} ${version ?? '(no x-acs-version)'}`);
      if (tooLarge) throw new ApiError(E.csInvalidParameter, 413, 'The request body is too large.');

      // Gateway checks, in the order a client most needs to see them.
      const auth = parseAuthorization(header(req, 'authorization'));
      caller = { accessKeyId: auth.accessKeyId, identity: 'anonymous', uid: '' };
      checkTimestamp(req.headers['x-acs-date'], now);
      const owner = findAccessKey(this.world, auth.accessKeyId);
      if (!owner)
        throw new ApiError(E.accessKeyNotFound, 404, `Specified access key is not found: ${auth.accessKeyId}.`);
      verifySignature({ method, rawPath, query: pairs, headers: req.headers, body }, auth, owner.key.secret);
      this.nonces.use(header(req, 'x-acs-signature-nonce') ?? '', now);
      if (owner.key.status !== 'Active') {
        throw new ApiError(E.accessKeyInactive, 400, `Specified access key is disabled: ${auth.accessKeyId}.`);
      }
      const who: Caller = owner.user
        ? {
            kind: 'user',
            accessKeyId: auth.accessKeyId,
            uid: owner.user.id,
            identity: `user/${owner.user.name}`,
            user: owner.user,
          }
        : { kind: 'root', accessKeyId: auth.accessKeyId, uid: this.world.account.id, identity: 'root' };
      caller = { accessKeyId: who.accessKeyId, identity: who.identity, uid: who.uid };
      owner.key.lastUsed = now;
      this.persister?.markDirty();

      fault = this.faults.pick(def.name);
      if (fault) {
        const injected = await this.injectBefore(fault, res);
        if (injected === 'dropped') {
          this.record(
            product,
            action,
            caller,
            query,
            pathParams,
            undefined,
            'error',
            0,
            undefined,
            requestId,
            undefined,
            fault,
            started,
          );
          return;
        }
      }

      if (product === 'cs' && body.length > 0) {
        try {
          parsedBody = JSON.parse(body.toString('utf8'));
        } catch {
          throw new ApiError(E.csInvalidParameter, 400, 'The request body is not valid JSON.');
        }
      }
      const ctx: CallContext = {
        world: this.settled(),
        caller: who,
        now,
        requestId,
        taskDelayMs: this.taskDelayMs,
        pendingTasks: this.pendingTasks,
        failTask: fault?.kind === 'task-fail',
      };
      authorize(ctx, def);
      const tasksBefore = this.pendingTasks.size;
      const result = def.run(ctx, { path: pathParams, query, body: parsedBody });
      if (this.pendingTasks.size > tasksBefore) this.scheduleSettle(this.taskDelayMs);
      responseBody = product === 'ram' ? { RequestId: requestId, ...(result as Record<string, unknown>) } : result;
    } catch (err) {
      if (!(err instanceof ApiError)) {
        this.log(`internal error in ${action}: ${(err as Error).stack ?? String(err)}`);
      }
      const apiErr =
        err instanceof ApiError
          ? err
          : new ApiError(E.internalError, 500, 'The request processing has failed due to some unknown error.');
      status = apiErr.status;
      errorCode = apiErr.code;
      extraHeaders = apiErr.headers;
      responseBody = errorBody(product, apiErr, requestId);
    }

    if (fault?.kind === 'drop') {
      // `processed: true`: the call took effect, then the connection is cut before the answer. The journal below
      // says what happened on this side (the operation's own outcome, fault 'drop'): a delete whose answer was
      // lost still deleted, and order checks must see it.
      res.socket?.destroy();
    } else {
      const text = JSON.stringify(responseBody);
      res.writeHead(status, {
        'content-type': 'application/json;charset=utf-8',
        'content-length': Buffer.byteLength(text),
        'x-acs-request-id': requestId,
        ...extraHeaders,
      });
      res.end(text);
    }
    this.record(
      product,
      action,
      caller,
      query,
      pathParams,
      parsedBody,
      errorCode ? 'error' : 'success',
      status,
      errorCode,
      requestId,
      errorCode ? undefined : responseBody,
      fault,
      started,
    );
  }

  /** Applies the part of a fault that happens before the handler; throws for error faults. */
  private async injectBefore(fault: FaultRule, res: ServerResponse): Promise<'dropped' | 'continue'> {
    switch (fault.kind) {
      case 'throttle':
        throw new ApiError(
          E.throttling,
          fault.statusCode ?? 400,
          'Request was denied due to user flow control.',
          undefined,
          {
            'x-acs-retry-after': String(fault.retryAfterMs ?? 100),
          },
        );
      case 'server-error': {
        const status = fault.statusCode ?? 503;
        throw status === 503
          ? new ApiError(E.serviceUnavailable, 503, 'The request has failed due to a temporary failure of the server.')
          : new ApiError(E.internalError, status, 'The request processing has failed due to some unknown error.');
      }
      case 'latency':
        await sleep(fault.latencyMs ?? 1000);
        return 'continue';
      case 'drop':
        if (fault.processed) return 'continue';
        res.socket?.destroy();
        return 'dropped';
      case 'task-fail':
        return 'continue';
    }
  }

  /** Lands a clean task when its delay passes, even if no request comes to trigger it. */
  private scheduleSettle(delayMs: number): void {
    const timer = setTimeout(
      () => {
        this.taskTimers.delete(timer);
        this.settled();
      },
      Math.max(0, delayMs) + 1,
    );
    timer.unref();
    this.taskTimers.add(timer);
  }

  private record(
    product: Product,
    action: string,
    caller: JournalCaller,
    query: Record<string, string>,
    pathParams: Record<string, string>,
    body: unknown,
    outcome: 'success' | 'error',
    statusCode: number,
    errorCode: string | undefined,
    requestId: string,
    response: unknown,
    fault: FaultRule | undefined,
    started: number,
  ): void {
    const params: Record<string, unknown> = { ...pathParams, ...query };
    if (body !== undefined) params.body = body;
    // The journal is read by people and tests: keep secrets out of it.
    if (typeof params.Password === 'string') params.Password = '***';
    if (action === 'CreateAccessKey' && response) {
      const r = response as { AccessKey?: Record<string, unknown> };
      if (r.AccessKey) response = { ...r, AccessKey: { ...r.AccessKey, AccessKeySecret: '***' } };
    }
    const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
    this.journal.add({
      time: new Date().toISOString(),
      product,
      action,
      caller,
      params,
      outcome,
      statusCode,
      ...(errorCode !== undefined && { errorCode }),
      requestId,
      ...(response !== undefined && { response }),
      ...(fault !== undefined && { fault: fault.kind }),
      durationMs,
    });
    if (this.logCalls) {
      this.log(
        `${statusCode || 'drop'} ${product} ${action} ${caller.identity}${errorCode ? ` ${errorCode}` : ''} ${durationMs}ms`,
      );
    }
  }

  // ---- admin endpoints (loopback only) -------------------------------------------------------------------------------

  private async admin(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    rawQuery: string,
    body: Buffer,
  ): Promise<void> {
    if (!isLoopback(req.socket.remoteAddress)) {
      sendJson(res, 403, { error: 'the /__emulator/ endpoints are served on loopback only' });
      return;
    }
    const route = `${req.method} ${path}`;
    switch (route) {
      case 'GET /__emulator/journal': {
        const since = Number(new URLSearchParams(rawQuery).get('since') ?? 0);
        sendJson(res, 200, this.journal.list(Number.isFinite(since) ? since : 0));
        return;
      }
      case 'POST /__emulator/faults': {
        let config;
        try {
          config = faultConfigSchema.parse(JSON.parse(body.toString('utf8') || '{}'));
          for (const r of config.rules) {
            if (r.kind === 'task-fail' && r.action !== 'CleanUserPermissions') {
              throw new Error('task-fail applies to action CleanUserPermissions only');
            }
          }
          const { seed } = this.faults.configure(config, this.actionNames);
          sendJson(res, 200, { seed, rules: config.rules });
        } catch (err) {
          sendJson(res, 400, { error: `invalid fault rules: ${(err as Error).message}` });
        }
        return;
      }
      case 'GET /__emulator/faults':
        sendJson(res, 200, this.faults.describe());
        return;
      case 'DELETE /__emulator/faults':
        this.faults.clear();
        sendJson(res, 200, {});
        return;
      case 'POST /__emulator/reset':
        try {
          this.reset();
          sendJson(res, 200, {});
        } catch (err) {
          sendJson(res, 500, { error: (err as Error).message });
        }
        return;
      case 'GET /__emulator/state':
        sendJson(res, 200, worldToJson(this.settled(), true));
        return;
      default:
        sendJson(res, 404, { error: `no admin endpoint ${route}` });
    }
  }
}

const EMPTY = Buffer.alloc(0);

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
