/**
 * Bulk intake through the CLI, signed in with `offboard login`, against the real stack: `start --from-file` with bad
 * lines refuses each with its line and rule, starts the others, exits 2 and records the started lines next to the
 * file; run again after the file is fixed, it skips what started, says so, and starts the rest under the same batch
 * id. `approve --batch` approves the batch's waiting runs (one signed decision each) and reports the others; HR may
 * not, and the flags of one run do not mix with --batch.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { offboardWorkflowId } from '../../common/ids';
import { SearchAttributes } from '../../common/search-attributes';
import { OffboardingStage } from '../../common/stages';
import { closeTestConnections } from '../support/temporal';
import { resetWorld, waitForStage } from '../workflows/harness';
import { argv } from './argv';
import { type CliWorld, json, offboard, startCliWorld } from './cli-harness';

let w: CliWorld;

beforeAll(async () => {
  w = await startCliWorld('cli-bulk');
}, 120_000);
afterAll(async () => {
  await w?.stop();
  await closeTestConnections();
});
beforeAll(() => resetWorld(w.h, ['alice', 'bob', 'ci-deployer']));

const idOf = (user: string) => offboardWorkflowId(w.h.accountId, { type: 'user', name: user });

async function batchRuns(batchId: string, expected: number): Promise<string[]> {
  const query = `${SearchAttributes.batch.name} = '${batchId}'`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ids: string[] = [];
    for await (const run of w.h.client.workflow.list({ query })) ids.push(run.workflowId);
    if (ids.length >= expected || Date.now() > deadline) return ids.sort();
    await new Promise((r) => setTimeout(r, 200));
  }
}

const dir = mkdtempSync(join(tmpdir(), 'offboard-bulk-'));
const csv = join(dir, 'leavers.csv');
const header = 'target,reason,ticket,comment';
let batchId = '';

test('start --from-file: bad lines refused with their line and rule, the others started; a second run resumes', async () => {
  const hr = await w.as('hr-jane');
  writeFileSync(
    csv,
    [
      header,
      'user/alice,departure,HR-7,"last day Friday, badge returned"',
      'user/bob,holiday,HR-8,',
      'alice,departure,,',
    ]
      .map((l) => `${l}\n`)
      .join(''),
  );
  const first = await offboard(hr, argv('start', { fromFile: csv }));
  expect(first.code).toBe(2);
  expect(first.stderr).toBe('');
  batchId = /Batch (batch-\S+):/.exec(first.stdout)?.[1] ?? '';
  expect(batchId).not.toBe('');
  // Not a terminal: progress as plain lines.
  expect(first.stdout).toContain(`Batch ${batchId}: 2/2 rows sent — 1 started, 0 joined, 2 refused`);
  expect(first.stdout).toMatch(/│ 2 +│ user\/alice +│ started +│ offboard\//);
  expect(first.stdout).toMatch(/│ 3 +│ user\/bob +│ refused +│ reason: must be one of departure, compromise, other/);
  expect(first.stdout).toMatch(/│ 4 +│ alice +│ refused +│ target: must be user\/<name> or role\/<name>/);
  expect(first.stdout).toContain(`${batchId}: 1 started, 0 joined (already running), 2 refused.`);
  expect(first.stdout).toContain('Fix the refused lines and run the same command again');

  const state = JSON.parse(readFileSync(`${csv}.offboard-state.json`, 'utf8')) as {
    batchId: string;
    finished: Record<string, { target: string; status: string }>;
  };
  expect(state.batchId).toBe(batchId);
  expect(state.finished).toEqual({ 2: expect.objectContaining({ target: 'user/alice', status: 'started' }) });
  expect(await batchRuns(batchId, 1)).toEqual([idOf('alice')]);

  // HR fixes the two lines and adds one; the started line is skipped, the rest start under the same batch id.
  writeFileSync(
    csv,
    [
      header,
      'user/alice,departure,HR-7,"last day Friday, badge returned"',
      'user/bob,departure,HR-8,',
      'user/ci-deployer,other,HR-9,the CI moved to another account',
    ]
      .map((l) => `${l}\n`)
      .join(''),
  );
  const again = await offboard(hr, argv('start', { fromFile: csv, concurrency: '2', json: true }));
  expect(again.code).toBe(0);
  const result = json<{ batchId: string; skipped: number[]; summary: unknown; results: unknown[] }>(again);
  expect(result).toMatchObject({ batchId, skipped: [2], summary: { started: 2, joined: 0, refused: 0 } });
  expect(result.results).toEqual([
    expect.objectContaining({ line: 3, target: 'user/bob', status: 'started', workflowId: idOf('bob') }),
    expect.objectContaining({
      line: 4,
      target: 'user/ci-deployer',
      status: 'started',
      workflowId: idOf('ci-deployer'),
    }),
  ]);
  expect(await batchRuns(batchId, 3)).toEqual([idOf('alice'), idOf('bob'), idOf('ci-deployer')].sort());

  // A third run has nothing left to start, and says what it skipped.
  const human = await offboard(hr, argv('start', { fromFile: csv }));
  expect(human.code).toBe(0);
  expect(human.stdout).toMatch(
    new RegExp(`Skipped 3 line\\(s\\) started in an earlier run of batch ${batchId} \\(2-4\\)`),
  );
  expect(human.stdout).toContain('Nothing to start.');

  // Without the state file it is a new batch, and each line joins its identity's open run (which keeps its batch).
  rmSync(`${csv}.offboard-state.json`);
  const fresh = json<{ batchId: string; summary: unknown }>(
    await offboard(hr, argv('start', { fromFile: csv, json: true })),
  );
  expect(fresh.batchId).not.toBe(batchId);
  expect(fresh.summary).toEqual({ started: 0, joined: 3, refused: 0 });
  expect(await batchRuns(fresh.batchId, 0)).toEqual([]);
});

test('approve --batch: the waiting runs approved, each by its own decision; the others reported; HR refused', async () => {
  const [hr, carol] = await Promise.all([w.as('hr-jane'), w.as('carol')]);
  await waitForStage(
    w.h.client.workflow.getHandle(idOf('alice')),
    OffboardingStage.AwaitingApproval,
    30_000,
    'approval',
  );

  const byHr = await offboard(hr, argv('approve', { batch: batchId }));
  expect(byHr.code).toBe(4);
  expect(byHr.stderr).toMatch(/This needs the role admin/);
  const mixed = await offboard(carol, argv('approve', { batch: batchId, user: 'alice' }));
  expect(mixed.code).toBe(2);
  expect(mixed.stderr).toContain('--batch approves the runs of a batch: leave out RUN, --user and --role');

  // Visibility shows alice's stage a moment after the run reaches it.
  let approved = await offboard(carol, argv('approve', { batch: batchId, comment: 'November leavers', json: true }));
  for (let i = 0; i < 30 && json<{ summary: { approved: number } }>(approved).summary.approved === 0; i++) {
    await new Promise((r) => setTimeout(r, 300));
    approved = await offboard(carol, argv('approve', { batch: batchId, comment: 'November leavers', json: true }));
  }
  expect(approved.code).toBe(0);
  const answer = json<{ summary: Record<string, number>; runs: Array<Record<string, unknown>> }>(approved);
  expect(answer.runs).toContainEqual(expect.objectContaining({ workflowId: idOf('alice'), status: 'approved' }));
  expect(answer.summary.approved + answer.summary.notWaiting).toBe(3);
  for (const run of answer.runs.filter((r) => r.status === 'notWaiting')) {
    expect(run.reason).toMatch(/^the run is in stage \w+/);
  }
});
