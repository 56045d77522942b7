/**
 * Traces and logs (issue 12), from the worker and the API as real processes configured by environment like
 * production, and a loopback OTLP/HTTP receiver in the collector's place. An offboarding started through the API is
 * one trace: the API's start, the workflow, its activities and each Alibaba call, whose span carries the emulator's
 * request id. A run started by a client that does not trace is not traced in the workflow and carries no trace
 * header. Both processes print JSON lines with the runs' ids, and no signed request or access token is in any of
 * them. Tracing's configuration is off without its variables and refuses bad ones by name.
 */
import { type WorkflowHandle } from '@temporalio/client';
import { readTelemetry } from '../../config/telemetry';
import { jsonLine } from '../../worker/json-log';
import { type TokenSigner } from '../../server/signer';
import { startOtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';
import { harnessEnv, startApiServer, type ApiServer, waitForRun } from '../server/api-server';
import { closeTestConnections } from '../support/temporal';
import { type Harness, journal, offboardInput, startHarness, startOffboard } from './harness';
import { killAllWorkers, startWorkerProcess, type WorkerProcess } from './worker-process';

let h: Harness;
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let worker: WorkerProcess;
let api: ApiServer;
/** Every request and decision token signed for a run in this file: none may reach a log line. */
const tokens: string[] = [];
/** The run the API started in the first test. */
let aliceRun: { workflowId: string; runId: string };

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  h = await startHarness('traces', { inProcessWorker: false });
  // Both processes as production runs them, tracing on by the standard variable alone.
  worker = await startWorkerProcess({
    ...h.env,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OFFBOARD_LOG_LEVEL: 'debug',
  });
  api = await startApiServer({
    ...harnessEnv(h),
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OFFBOARD_LOG_LEVEL: 'info',
  });
});

afterAll(async () => {
  killAllWorkers();
  await api?.stop();
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
  const started = await api.call('POST', '/v1/offboardings', {
    as: 'hr-jane',
    body: { target: { type: 'user', name: 'alice' }, reason: 'departure' },
  });
  expect(started.status).toBe(201);
  const workflowId = started.body.workflowId as string;
  await waitForRun(api, workflowId, (s) => s.stage === 'AwaitingApproval', 'approval');
  // The workflow's span ends with the run: approved, the run deletes alice and completes.
  expect((await api.call('POST', `/v1/runs/${workflowId}/approve`, { as: 'carol', body: {} })).status).toBe(200);
  await waitForRun(api, workflowId, (s) => s.stage === 'Completed', 'completion');

  aliceRun = { workflowId, runId: started.body.runId as string };
  const isStart = (s: ReceivedSpan) =>
    s.name === 'StartWorkflow:offboardIdentity' && s.attributes['run_id'] === aliceRun.runId;
  const start = (await spansUntil((spans) => spans.some(isStart), "the API's start")).find(isStart) as ReceivedSpan;
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
  // Each call of the run is a span of its own, under the request id the emulator gave that call.
  const allJournaled = new Set((await journal(h.emulator)).map((e) => e.requestId));
  const spanRequestIds = new Set(calls.map((s) => s.attributes['alibaba.request_id']));
  expect(spanRequestIds.size).toBe(calls.length);
  expect([...spanRequestIds].filter((id) => !allJournaled.has(id as string))).toEqual([]);

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

/** Each line of a process's output as JSON; a line that is not fails the test, quoted. */
function jsonLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
}

test("the worker's and the API's output is JSON lines with the runs' ids, and no token is in any line", async () => {
  const workerLines = jsonLines(worker.output());
  for (const e of workerLines) expect(e).toMatchObject({ service: 'acs-offboarding-worker' });
  // Each Alibaba call is a line of its activity with the run's ids and the request id.
  const calls = workerLines.filter((e) => e.msg === 'alibaba call' && e.runId === aliceRun.runId);
  expect(calls.length).toBeGreaterThan(0);
  for (const e of calls) {
    expect(e).toEqual(
      expect.objectContaining({
        workflowId: aliceRun.workflowId,
        operation: expect.any(String),
        alibabaRequestId: expect.any(String),
      }),
    );
  }
  // No activity task token (it would let its holder complete the activity).
  expect(workerLines.filter((e) => 'taskToken' in e)).toEqual([]);

  const apiLines = jsonLines(api.output());
  for (const e of apiLines) expect(e).toMatchObject({ service: 'acs-offboarding-server', level: expect.any(String) });
  expect(apiLines).toContainEqual(expect.objectContaining({ msg: 'run', ...aliceRun }));

  // No signed request (bob's, signed in this file) and no person's access token, in either process's output.
  expect(tokens.length).toBeGreaterThan(0);
  const secrets = [...tokens, await api.token('hr-jane'), await api.token('carol')];
  for (const output of [worker.output(), api.output()]) {
    for (const token of secrets) {
      expect(output).not.toContain(token);
      expect(output).not.toContain(token.split('.').at(-1)); // not even its signature
    }
  }
});

test("a log line drops the SDK's task token and redacts fields named like credentials, at any depth", () => {
  const line = jsonLine({
    message: 'Activity not found on completion',
    level: 'WARN',
    timestampNanos: 1_700_000_000_000_000_000n,
    meta: {
      sdkComponent: 'core',
      task_token: 'TaskToken(CiQw)', // as the SDK's core names it
      taskToken: 'CiQw', // as its activity log attributes do
      workflowRunId: 'run-1',
      details: { authorization: 'Bearer abc', password: 'pw', attempt: 2 },
      error: Object.assign(new Error('boom'), { stack: 'Error: boom\n    at secret-path' }),
    },
  });
  expect(JSON.parse(line)).toEqual({
    time: '2023-11-14T22:13:20.000Z',
    level: 'warn',
    service: 'acs-offboarding-worker',
    msg: 'Activity not found on completion',
    sdkComponent: 'core',
    task_token: '[redacted]',
    runId: 'run-1',
    details: { authorization: '[redacted]', password: '[redacted]', attempt: 2 },
    error: { type: 'Error', message: 'boom' },
  });
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
