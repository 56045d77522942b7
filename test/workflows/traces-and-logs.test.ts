/**
 * Traces and logs (issue 12), from a real worker process configured by environment like production and a loopback
 * OTLP/HTTP receiver in the collector's place. An offboarding started through the API's Temporal client (tracing on,
 * as the server runs it) is one trace: the client's start, the workflow, its activities and each Alibaba call, whose
 * span carries the emulator's request id. A run started by a client that does not trace is not traced in the
 * workflow and carries no trace header. The worker's stdout is JSON lines with the run's ids, and the run's signed
 * request token is in none of them. Tracing's configuration is off without its variables and refuses bad ones by
 * name.
 */
import { type WorkflowHandle } from '@temporalio/client';
import { OffboardingStage } from '../../common/stages';
import { readTelemetry, startTracing, type Tracing } from '../../config/telemetry';
import { TemporalGateway } from '../../server/temporal/connection';
import { type TokenSigner } from '../../server/signer';
import { startOtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';
import { decide, people } from '../support/trust';
import { closeTestConnections } from '../support/temporal';
import { type Harness, journal, offboardInput, startHarness, startOffboard, waitForStage } from './harness';
import { killAllWorkers, startWorkerProcess, type WorkerProcess } from './worker-process';

let h: Harness;
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let worker: WorkerProcess;
let apiTracing: Tracing;
let gateway: TemporalGateway;
/** Every request token the "API" signed in this file: none may reach a log line. */
const tokens: string[] = [];

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  h = await startHarness('traces', { inProcessWorker: false });
  worker = await startWorkerProcess({
    ...h.env,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OFFBOARD_LOG_LEVEL: 'debug',
  });
  // The API's side, as server/main.ts builds it: its tracer and its Temporal client with the tracing interceptor.
  const settings = readTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint }, 'acs-offboarding-server', []);
  if (!settings) throw new Error('tracing did not turn on with OTEL_EXPORTER_OTLP_ENDPOINT');
  apiTracing = startTracing(settings);
  gateway = new TemporalGateway(h.config.temporal, apiTracing);
});

afterAll(async () => {
  killAllWorkers();
  await gateway?.close();
  await apiTracing?.shutdown();
  await receiver?.close();
  await h?.stop();
  await closeTestConnections();
});

/** The harness's signer, keeping each token it signs (requests and decisions). */
function keepingTokens(signer: TokenSigner): TokenSigner {
  const kept = (token: string) => (tokens.push(token), token);
  return {
    ...signer,
    signRequest: async (p) => kept(await signer.signRequest(p)),
    signDecision: async (p) => kept(await signer.signDecision(p)),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the receiver holds spans that `found` accepts (exports are batched, about a second apart). */
async function spansUntil(found: (spans: ReceivedSpan[]) => boolean, what: string): Promise<ReceivedSpan[]> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (found(receiver.spans)) return receiver.spans;
    await sleep(250);
  }
  const names = [...new Set(receiver.spans.map((s) => `${s.service}/${s.name}`))].join(', ');
  throw new Error(`no ${what} in the exported spans; got: ${names || 'none'}`);
}

async function historyText(handle: WorkflowHandle): Promise<string> {
  return JSON.stringify(await handle.fetchHistory());
}

test('a run started through the API is one trace: client start, workflow, activity, Alibaba call with its request id', async () => {
  const client = await gateway.client();
  const { handle } = await startOffboard({ ...h, client, signer: keepingTokens(h.signer) }, offboardInput(h, 'alice'));
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 60_000);
  // The workflow's span ends with the run: approved, the run deletes alice and completes.
  await decide({ signer: keepingTokens(h.signer) }, handle, 'approveDeletion', {}, people.carol);
  expect((await handle.result()).stage).toBe(OffboardingStage.Completed);
  await apiTracing.spanProcessor.forceFlush();

  const start = (await spansUntil((s) => s.some((x) => x.name === 'StartWorkflow:offboardIdentity'), 'client start'))
    .filter((s) => s.name === 'StartWorkflow:offboardIdentity')
    .at(-1) as ReceivedSpan;
  expect(start.service).toBe('acs-offboarding-server');
  expect(start.parentSpanId).toBeUndefined(); // the root
  const inTrace = () => receiver.spans.filter((s) => s.traceId === start.traceId);
  await spansUntil(
    () =>
      inTrace().some((s) => s.name === 'RunWorkflow:offboardIdentity') &&
      inTrace().some((s) => s.name === 'Alibaba:DeleteUser'),
    "the workflow's span and the last Alibaba call's in the trace",
  );
  const trace = inTrace();
  const byId = new Map(trace.map((s) => [s.spanId, s]));

  const workflow = trace.find((s) => s.name === 'RunWorkflow:offboardIdentity');
  expect(workflow).toMatchObject({ service: 'acs-offboarding-worker' });

  // An Alibaba call nested in its activity's span, which the workflow scheduled, within the client's trace.
  const calls = trace.filter((s) => s.name.startsWith('Alibaba:'));
  const call = calls.find((s) => byId.get(s.parentSpanId ?? '')?.name.startsWith('RunActivity:')) as ReceivedSpan;
  expect(call).toBeDefined();
  const activity = byId.get(call.parentSpanId as string) as ReceivedSpan;
  expect(activity.service).toBe('acs-offboarding-worker');
  const ancestors: string[] = [];
  for (let s: ReceivedSpan | undefined = activity; s; s = byId.get(s.parentSpanId ?? '')) ancestors.push(s.name);
  expect(ancestors).toContain('RunWorkflow:offboardIdentity');
  expect(ancestors.at(-1)).toBe('StartWorkflow:offboardIdentity');

  // The call's attributes: its operation, and the request id the emulator journaled for exactly that call.
  const operation = call.attributes['alibaba.operation'] as string;
  expect(call.name).toBe(`Alibaba:${operation}`);
  const journaled = (await journal(h.emulator)).filter((e) => e.action === operation).map((e) => e.requestId);
  expect(journaled).toContain(call.attributes['alibaba.request_id']);
  // Every call of the run reached the emulator under a request id some span names.
  const spanRequestIds = new Set(calls.map((s) => s.attributes['alibaba.request_id']));
  expect(spanRequestIds.size).toBeGreaterThan(1);

  // The exporter speaks OTLP JSON over HTTP.
  expect(receiver.requests.every((r) => r.path === '/v1/traces' && r.contentType === 'application/json')).toBe(true);
}, 120_000);

test('a run started by a client that does not trace: no workflow span, no trace header in its history', async () => {
  const { handle } = await startOffboard({ ...h, signer: keepingTokens(h.signer) }, offboardInput(h, 'bob'));
  const runId = (await handle.describe()).runId;
  // The worker traces its activities all the same (their spans are roots of their own): wait for one of this run's.
  await spansUntil(
    (spans) => spans.some((s) => s.name.startsWith('RunActivity:') && s.attributes['run_id'] === runId),
    "an activity span of bob's run",
  );
  const ofRun = receiver.spans.filter((s) => s.attributes['run_id'] === runId);
  expect(ofRun.filter((s) => s.name.startsWith('RunWorkflow:'))).toEqual([]);
  expect(ofRun.filter((s) => s.name.startsWith('RunActivity:')).every((s) => s.parentSpanId === undefined)).toBe(true);
  expect(await historyText(handle)).not.toContain('_tracer-data');
}, 60_000);

test("the worker's stdout is JSON lines with the runs' ids, and no signed token is in any line", async () => {
  const lines = worker
    .output()
    .split('\n')
    .filter((l) => l.trim() !== '');
  expect(lines.length).toBeGreaterThan(0);
  const entries = lines.map((line) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`not a JSON line: ${line}`);
    }
  });
  for (const e of entries) expect(e).toMatchObject({ service: 'acs-offboarding-worker' });
  const calls = entries.filter((e) => e.msg === 'alibaba call');
  expect(calls.length).toBeGreaterThan(0);
  for (const e of calls) {
    expect(e).toEqual(
      expect.objectContaining({
        workflowId: expect.any(String),
        runId: expect.any(String),
        operation: expect.any(String),
        alibabaRequestId: expect.any(String),
      }),
    );
  }
  // No activity task token (it would let its holder complete the activity), no signed request.
  expect(entries.filter((e) => 'taskToken' in e)).toEqual([]);
  expect(tokens.length).toBeGreaterThanOrEqual(3);
  const output = worker.output();
  for (const token of tokens) {
    expect(output).not.toContain(token);
    expect(output).not.toContain(token.split('.').at(-1)); // not even its signature
  }
});

describe('configuration', () => {
  const read = (env: Record<string, string>) => {
    const problems: string[] = [];
    return { settings: readTelemetry(env, 'acs-offboarding-worker', problems), problems };
  };

  test('off without the variables, or with OTEL_SDK_DISABLED=true', () => {
    expect(read({})).toEqual({ settings: undefined, problems: [] });
    expect(read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' }).settings).toBe(
      undefined,
    );
  });

  test('the base endpoint gets /v1/traces; the traces endpoint is used as given', () => {
    expect(read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example:4318/' }).settings?.tracesUrl).toBe(
      'https://otel.example:4318/v1/traces',
    );
    expect(
      read({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/custom',
      }).settings?.tracesUrl,
    ).toBe('http://collector:4318/custom');
  });

  test('bad values are refused naming the variable, and a header value is never quoted', () => {
    expect(read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }).problems).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT: must be an http(s) URL of an OTLP/HTTP receiver (got "collector:4318")',
    ]);
    expect(read({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://u:p@collector:4318' }).problems[0]).toMatch(
      /^OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: must not carry a user or password/,
    );
    expect(
      read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).problems,
    ).toEqual(['OTEL_EXPORTER_OTLP_PROTOCOL: must be "http/json", the one protocol this build exports (got "grpc")']);
    const bad = read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_HEADERS: 'sekrit-value' });
    expect(bad.problems).toEqual([
      'OTEL_EXPORTER_OTLP_HEADERS: must be comma-separated key=value pairs with header names as keys',
    ]);
    expect(
      read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%3D' }).settings
        ?.headers,
    ).toEqual({ 'x-api-key': 'abc=' });
  });
});
