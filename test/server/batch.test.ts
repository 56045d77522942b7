/**
 * The bulk intake through the API, against the real stack: a CSV with good and bad rows starts exactly the good ones
 * (each bad one refused with its line and the field and rule it broke) and Temporal holds exactly those runs with
 * the batch's OffboardingBatch attribute; JSON rows join open runs; the row limit and the roles are enforced. Then
 * the bulk approval: the requester's approvals are refused by each run (four eyes) and reported, another admin's are
 * accepted, each run holding its own signed, verified decision, and a second pass finds nothing waiting.
 */
import { decodeJwt } from 'jose';
import { offboardWorkflowId } from '../../common/ids';
import { SearchAttributes } from '../../common/search-attributes';
import { freePort } from '../../scripts/local-temporal';
import { useHarness } from '../workflows/use-harness';
import { harnessEnv, startApiServer, type ApiServer, waitForRun } from './api-server';

const h = useHarness('api-batch');
let api: ApiServer;
beforeAll(async () => {
  // dave is an admin in HR as well: he may start a batch, and then must not approve its runs.
  api = await startApiServer({
    ...harnessEnv(h),
    OFFBOARD_ROLE_GROUPS: 'hr=hr,admin;admin=admin;security=security;oncall=oncall',
  });
});
afterAll(() => api?.stop());

const runOf = (name: string) => offboardWorkflowId(h.accountId, { type: 'user', name });
const BATCH = 'leavers-2026-11';

const CSV = [
  'target,reason,ticket,comment,clusterIds',
  'user/alice,departure,HR-1,"last day Friday, laptop returned",',
  'user/bob,vacation,HR-2,,',
  'usr/carol,departure,HR-3,,',
  'user/ci-deployer,departure,HR 4,,',
  '"user/bob",departure,HR-2,"two',
  'lines",',
  'user/alice,departure,HR-1,,',
  'user/carol,departure,HR-9,,c-Bad_Id',
  'user/dave,departure',
  '"user/bob",departure,HR-2,"said ""goodbye""",',
  '',
].join('\r\n');

async function runsWithBatch(batchId: string, expected: number): Promise<string[]> {
  const query = `${SearchAttributes.batch.name} = '${batchId}'`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ids: string[] = [];
    for await (const run of h.client.workflow.list({ query })) ids.push(run.workflowId);
    if (ids.length >= expected || Date.now() > deadline) return ids.sort();
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('a CSV with bad rows: each refused with its line and rule, the others started with the batch attribute', async () => {
  const res = await api.call('POST', `/v1/offboardings/batch?batchId=${BATCH}`, {
    as: 'dave',
    rawBody: CSV,
    headers: { 'content-type': 'text/csv; charset=utf-8' },
  });
  expect(res.status).toBe(200);
  expect(res.body.batchId).toBe(BATCH);
  expect(res.body.summary).toEqual({ started: 2, joined: 0, refused: 7 });
  const byLine = Object.fromEntries(
    (res.body.results as Array<Record<string, unknown>>).map((r) => [r.line, r] as const),
  );
  expect(Object.keys(byLine).map(Number)).toEqual([2, 3, 4, 5, 6, 8, 9, 10, 11]);
  expect(byLine[2]).toMatchObject({ target: 'user/alice', status: 'started', workflowId: runOf('alice') });
  // Quoted cells: a quote written twice is one; a comment over two lines is refused (no line breaks in a text),
  // named by the line the row starts on, and the lines after it keep their numbers.
  expect(byLine[11]).toMatchObject({ target: 'user/bob', status: 'started', workflowId: runOf('bob') });
  const refusal = (line: number) => byLine[line] as { status: string; problem: string; errors: unknown[] };
  for (const line of [3, 4, 5, 6, 8, 9, 10])
    expect(refusal(line)).toMatchObject({ status: 'refused', problem: 'bad-input' });
  expect(refusal(3).errors).toEqual([{ field: 'reason', rule: 'must be one of departure, compromise, other' }]);
  expect(refusal(4).errors).toEqual([{ field: 'target', rule: 'must be user/<name> or role/<name>' }]);
  expect(refusal(5).errors).toEqual([{ field: 'ticket', rule: expect.stringMatching(/^must be 1-255 letters/) }]);
  expect(refusal(6).errors).toEqual([{ field: 'comment', rule: expect.stringMatching(/without control or format/) }]);
  expect(refusal(8).errors).toEqual([{ field: 'target', rule: 'is listed again (line 2)' }]);
  expect(refusal(9).errors).toEqual([{ field: 'clusterIds.0', rule: expect.stringMatching(/^must start with "c"/) }]);
  expect(refusal(10).errors).toEqual([{ field: 'line', rule: 'must have 5 cells, as the header has (it has 2)' }]);

  // Temporal has exactly the runs of the good rows, each with the batch id.
  expect(await runsWithBatch(BATCH, 2)).toEqual([runOf('alice'), runOf('bob')].sort());

  // JSON rows: a start for a running identity joins it (the run keeps its batch); a bad row is refused with its line.
  const json = await api.call('POST', '/v1/offboardings/batch', {
    as: 'hr-jane',
    body: {
      batchId: 'second',
      rows: [
        { target: { type: 'user', name: 'alice' }, reason: 'departure', ticket: 'HR-1' },
        { line: 7, target: { type: 'user', name: 'bob' }, reason: 'departure', colour: 'blue' },
      ],
    },
  });
  expect(json.status).toBe(200);
  expect(json.body.results).toEqual([
    expect.objectContaining({ line: 1, target: 'user/alice', status: 'joined', workflowId: runOf('alice') }),
    expect.objectContaining({
      line: 7,
      status: 'refused',
      errors: [{ field: 'colour', rule: 'is not a known field' }],
    }),
  ]);
  expect(await runsWithBatch('second', 0)).toEqual([]);
});

test('the row limit, the header and the roles are refused before anything starts', async () => {
  const rows = Array.from({ length: 1001 }, () => ({ target: { type: 'user', name: 'alice' }, reason: 'departure' }));
  const tooMany = await api.call('POST', '/v1/offboardings/batch', { as: 'hr-jane', body: { rows } });
  expect(tooMany.status).toBe(400);
  expect(tooMany.body.errors).toEqual([{ field: 'rows', rule: expect.stringContaining('must hold 1 to 1000 rows') }]);

  const header = await api.call('POST', '/v1/offboardings/batch', {
    as: 'hr-jane',
    rawBody: 'user,reason\nalice,departure\n',
    headers: { 'content-type': 'text/csv' },
  });
  expect(header.status).toBe(400);
  expect(header.body.errors).toEqual([
    { field: 'csv header "user"', rule: expect.stringMatching(/^is not a column; the columns are target, reason/) },
    { field: 'csv header "target"', rule: 'is a required column' },
  ]);

  const oncall = await api.call('POST', '/v1/offboardings/batch', { as: 'olivia', body: { rows: rows.slice(0, 1) } });
  expect(oncall.status).toBe(403);
  expect(oncall.body.missingRole).toBe('hr');
  const hr = await api.call('POST', `/v1/batches/${BATCH}/approve`, { as: 'hr-jane', body: {} });
  expect(hr.status).toBe(403);
  expect(hr.body.missingRole).toBe('admin');
  const badId = await api.call('POST', `/v1/batches/x'y/approve`, { as: 'carol', body: {} });
  expect(badId.status).toBe(400);
  const none = await api.call('POST', '/v1/batches/no-such-batch/approve', { as: 'carol', body: {} });
  expect(none.status).toBe(404);
});

test("bulk approval: the requester is refused by each run, another admin's signed decisions are accepted", async () => {
  // bob used his access key and a cluster this week: his run asks twice whether to go on, and carol lets it.
  for (;;) {
    const bob = await waitForRun(
      api,
      runOf('bob'),
      (s) => s.stage === 'AwaitingApproval' || s.pendingDecision === 'dependencies',
      'a decision',
    );
    if (bob.stage === 'AwaitingApproval') break;
    const resolved = await api.call('POST', `/v1/runs/${runOf('bob')}/resolve`, {
      as: 'carol',
      body: { decision: 'proceed', note: 'his own laptop and his own cluster' },
    });
    expect(resolved.status).toBe(200);
    // Taken in when the run asks something else, or the same question with other words (the 7-day refusal).
    await waitForRun(
      api,
      runOf('bob'),
      (s) => s.pendingDecision !== 'dependencies' || s.details !== bob.details,
      'the resolve',
    );
  }
  for (const name of ['alice', 'bob']) {
    await waitForRun(api, runOf(name), (s) => s.stage === 'AwaitingApproval', 'approval');
  }
  // Visibility follows the runs' stages a moment later.
  const deadline = Date.now() + 10_000;
  let byDave = await api.call('POST', `/v1/batches/${BATCH}/approve`, { as: 'dave', body: {} });
  while ((byDave.body.summary as Record<string, number>).notWaiting > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 300));
    byDave = await api.call('POST', `/v1/batches/${BATCH}/approve`, { as: 'dave', body: {} });
  }
  expect(byDave.status).toBe(200);
  expect(byDave.body.summary).toEqual({ approved: 0, refused: 2, notWaiting: 0 });
  for (const run of byDave.body.runs as Array<Record<string, unknown>>) {
    expect(run).toMatchObject({ status: 'refused', refusal: 'FourEyes', stage: 'AwaitingApproval' });
  }

  const byCarol = await api.call('POST', `/v1/batches/${BATCH}/approve`, {
    as: 'carol',
    body: { comment: 'leavers of November, checked with HR' },
  });
  expect(byCarol.status).toBe(200);
  expect(byCarol.body.summary).toEqual({ approved: 2, refused: 0, notWaiting: 0 });

  const tokens = new Set<string>();
  for (const name of ['alice', 'bob']) {
    const audit = await api.call('GET', `/v1/runs/${runOf(name)}/audit`, { as: 'olivia' });
    const decisions = (audit.body.decisions as Array<Record<string, unknown>>).filter(
      (d) => d.kind === 'approveDeletion',
    );
    expect(decisions).toEqual([
      expect.objectContaining({
        kind: 'approveDeletion',
        actor: 'carol',
        verified: true,
        comment: 'leavers of November, checked with HR',
      }),
    ]);
    // Its own token, signed for this run.
    const token = String(decisions[0].token);
    expect(JSON.stringify(decodeJwt(token))).toContain(runOf(name));
    tokens.add(token);
  }
  expect(tokens.size).toBe(2);

  // Nothing waits any more: a second pass changes nothing and says so.
  await waitForRun(api, runOf('alice'), (s) => s.stage !== 'AwaitingApproval', 'deletion');
  await waitForRun(api, runOf('bob'), (s) => s.stage !== 'AwaitingApproval', 'deletion');
  let again = await api.call('POST', `/v1/batches/${BATCH}/approve`, { as: 'carol', body: {} });
  for (let i = 0; i < 30 && (again.body.summary as Record<string, number>).notWaiting < 2; i++) {
    await new Promise((r) => setTimeout(r, 300));
    again = await api.call('POST', `/v1/batches/${BATCH}/approve`, { as: 'carol', body: {} });
  }
  expect(again.body.summary).toEqual({ approved: 0, refused: 0, notWaiting: 2 });
});

test('with Temporal unreachable, every row is refused as unavailable (the later ones at once), none lost', async () => {
  const down = await startApiServer({ ...harnessEnv(h), TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` });
  try {
    const rows = ['alice', 'bob', 'carol'].map((name) => ({ target: { type: 'user', name }, reason: 'departure' }));
    const res = await down.call('POST', '/v1/offboardings/batch', { as: 'hr-jane', body: { rows, concurrency: 1 } });
    expect(res.status).toBe(200);
    expect(res.body.summary).toEqual({ started: 0, joined: 0, refused: 3 });
    for (const row of res.body.results as Array<Record<string, unknown>>) {
      expect(row).toMatchObject({ status: 'refused', problem: 'temporal-unavailable' });
    }
  } finally {
    await down.stop();
  }
});
