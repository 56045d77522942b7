/**
 * The CLI's front door: help, bad input, unknown runs, and a Temporal it cannot reach. Each bad command must exit
 * with its documented code and a message naming the flag and the rule, and must change nothing: no run started,
 * no call reached the emulator.
 */
import { offboardWorkflowId } from '../../common/ids';
import { closeTestConnections } from '../support/temporal';
import { startHarness, type Harness } from '../workflows/harness';
import { argv, type Flags } from './argv';
import { journalLength, json, offboard, packagesLoadedBy, runExists, stateWithoutKeyUse } from './cli-harness';

let h: Harness;
let env: Record<string, string>;

beforeAll(async () => {
  h = await startHarness('cli-input');
  env = h.env;
});
afterAll(async () => {
  await h?.stop();
  await closeTestConnections();
});

const commands = [
  'start',
  'plan',
  'approve',
  'reject',
  'resolve',
  'rescind',
  'list',
  'status',
  'retry',
  'abort',
  'audit',
  'revoke',
  'revoke-own',
];

test('offboard --help documents the commands, the exit codes and the environment; every command has --help', async () => {
  const top = await offboard(env, argv({ help: true }));
  expect(top.code).toBe(0);
  for (const c of commands) expect(top.stdout).toContain(c);
  expect(top.stdout).toMatch(
    /Exit codes:\n\s+0\s+ok\n\s+1\s+unexpected.*\n\s+2\s+bad input.*\n\s+3\s+not found.*\n\s+4\s+refused.*\n\s+5\s+unreachable.*\n\s+6\s+stopped short/,
  );
  expect(top.stdout).toContain('TEMPORAL_ADDRESS');

  const helps = await Promise.all(commands.map((c) => offboard(env, argv(c, { help: true }))));
  helps.forEach((r, i) => {
    expect({ command: commands[i], code: r.code }).toEqual({ command: commands[i], code: 0 });
    expect(r.stdout).toContain(`Usage: offboard ${commands[i]}`);
    expect(r.stdout).toContain('--json');
    expect(r.stdout).toContain('Exit codes:');
  });

  const none = await offboard(env, argv());
  expect(none.code).toBe(2);
  expect(none.stderr).toContain('Usage: offboard');
});

test('offboard --help loads neither the Temporal client nor an Alibaba SDK: each command is loaded when it runs', async () => {
  const loaded = await packagesLoadedBy(argv({ help: true }));
  expect(loaded).toContain('commander');
  expect(loaded.filter((p) => /^(@temporalio|@alicloud)\/|^zod$/.test(p))).toEqual([]);
});

// [flags beside a valid reason and requester, the message expected on stderr]
const badStarts: Array<[Flags, RegExp]> = [
  [{ user: 'al ice' }, /--user "al ice": must be 1-64 characters: letters, digits, "\.", "-" or "_"/],
  [{ user: 'x'.repeat(65) }, /--user "x{65}": must be 1-64 characters/],
  [{ role: 'bad/role' }, /--role "bad\/role": must be 1-64 characters/],
  [{ user: 'alice', role: 'legacy-deploy-role' }, /option '--user <name>' cannot be used with option '--role <name>'/],
  [{}, /name the identity with --user NAME or --role NAME/],
  [
    { user: 'alice', reason: 'vacation' },
    /'--reason <reason>' argument 'vacation' is invalid\. Allowed choices are departure, compromise, other/,
  ],
  [{ user: 'alice', requestedBy: 'hr jane' }, /--requested-by "hr jane": must be 1-128 characters/],
  [{ user: 'alice', cluster: 'prod-1' }, /--cluster "prod-1": must start with "c"/],
  [{ user: 'alice', cluster: ['c-prod-1', 'c-prod-1'] }, /--cluster: must be a non-empty list of distinct cluster ids/],
  [{ user: 'alice', deleteNotBefore: 'next week' }, /--delete-not-before: must be an ISO-8601 date-time/],
  [{ user: 'alice', ticket: 'HR 12' }, /--ticket "HR 12": must be 1-128 characters/],
  [
    { user: 'alice', wait: true, waitTimeout: 'soon' },
    /'--wait-timeout <duration>' argument 'soon' is invalid\. must be a positive duration/,
  ],
  [{ user: 'root' }, /--user: the root account cannot be offboarded/],
  [{ user: 'offboarding-bot' }, /--user: the worker's own identity cannot be offboarded/],
];

test.each(badStarts)('start %j is refused before anything is contacted: exit 2 and %s', async (flags, message) => {
  const before = await journalLength(h);
  const r = await offboard(env, argv('start', { reason: 'departure', requestedBy: 'hr-jane' }, flags));
  expect(r.stderr).toMatch(message);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  // Nothing changed: no call reached the emulator and no run exists for the identities named.
  expect(await journalLength(h)).toBe(before);
  for (const name of ['alice', 'root', 'offboarding-bot', 'al ice']) {
    expect(await runExists(h.client, offboardWorkflowId(h.accountId, { type: 'user', name }))).toBe(false);
  }
});

const alice = { user: 'alice' };
// [command line, the message expected on stderr]
const badDecisions: Array<[Array<string | Flags>, RegExp]> = [
  [['approve', alice], /required option '--as <who>' not specified/],
  [['approve', alice, { as: 'carol smith' }], /--as "carol smith": must be 1-128 characters/],
  [['approve', 'offboard/1/user/alice', alice, { as: 'carol' }], /give either RUN or --user\/--role, not both/],
  [['approve', 'alice', { as: 'carol' }], /RUN "alice": must be a run id like offboard\/<account>\/user\/<name>/],
  [['approve', { as: 'carol' }], /name the run: give RUN \(a workflow id\) or --user NAME \/ --role NAME/],
  [['approve', { user: 'al ice', as: 'carol' }], /--user "al ice": must be 1-64 characters/],
  [['approve', alice, { as: 'carol', comment: ' ' }], /--comment: must be a non-empty text/],
  [['reject', alice, { as: 'carol' }], /required option '--reason <text>' not specified/],
  [
    ['resolve', alice, { as: 'carol', proceed: true, abort: true, note: 'x' }],
    /option '--proceed' cannot be used with option '--abort'/,
  ],
  [['resolve', alice, { as: 'carol', note: 'x' }], /give exactly one of --proceed or --abort/],
  [['resolve', alice, { as: 'carol', proceed: true }], /required option '--note <text>' not specified/],
  [['rescind', alice, { as: 'hr-jane' }], /required option '--reason <text>' not specified/],
  [['abort', alice, { as: 'carol' }], /required option '--reason <text>' not specified/],
  [['list', { stage: 'Stuck' }], /'--stage <stage>' argument 'Stuck' is invalid\. Allowed choices are Inventory, /],
  [['list', { requestedBy: "x' OR 'a'='a" }], /--requested-by "x' OR 'a'='a": must be 1-128 characters/],
  [['list', { limit: '0' }], /'--limit <n>' argument '0' is invalid\. must be a whole number of at least 1/],
  [
    ['audit', alice, { format: 'xml' }],
    /'--format <format>' argument 'xml' is invalid\. Allowed choices are table, md, json/,
  ],
  [['revoke', { user: 'bob', cluster: 'C-PROD' }], /--cluster "C-PROD": must start with "c"/],
  [['revoke', { user: 'root' }], /--user: the root account cannot be offboarded/],
  [['revoke', { user: 'bob', reason: 'because' }], /Allowed choices are departure, compromise, other/],
  [['revoke-own'], /required option '--cluster <id>' not specified/],
  [['revoke-own', { cluster: 'prod' }], /--cluster "prod": must start with "c"/],
  [['plan', { user: 'root' }], /--user: the root account cannot be offboarded/],
  [['plan'], /name the identity with --user NAME or --role NAME/],
  [['status', 'revoke/123/group/x'], /RUN "revoke\/123\/group\/x": must be a run id/],
  [['frobnicate'], /unknown command 'frobnicate'/],
  [['status', alice, { verbose: true }], /unknown option '--verbose'/],
];

test.each(badDecisions)('%j is bad input: exit 2 and %s, nothing contacted', async (command, message) => {
  const before = await journalLength(h);
  const r = await offboard(env, argv(...command));
  expect(r.stderr).toMatch(message);
  expect(r.code).toBe(2);
  expect(await journalLength(h)).toBe(before);
});

test('a run that does not exist: exit 3 and the id that was looked for, whether named by id or by --user', async () => {
  const id = offboardWorkflowId(h.accountId, { type: 'user', name: 'nobody' });
  const byId = await offboard(env, argv('status', id));
  expect(byId.code).toBe(3);
  expect(byId.stderr).toContain(`error: no run ${id} in namespace`);

  const byUser = await offboard(env, argv('approve', { user: 'nobody', as: 'carol' }));
  expect(byUser.code).toBe(3);
  expect(byUser.stderr).toContain(`no offboarding or revocation run for user/nobody in account ${h.accountId}`);

  const asJson = await offboard(env, argv('audit', id, { json: true }));
  expect(asJson.code).toBe(3);
  expect(json(asJson)).toEqual({
    error: expect.objectContaining({ kind: 'not-found', exitCode: 3, message: expect.stringContaining(id) }),
  });
  expect(await runExists(h.client, id)).toBe(false);
});

test('an unreachable Temporal: exit 5, the address tried and the variable that sets it; secrets are not printed', async () => {
  const secret = 'tmprl-api-key-do-not-print-0123456789';
  const unreachable = { ...env, TEMPORAL_ADDRESS: '127.0.0.1:1', TEMPORAL_API_KEY: secret };
  const r = await offboard(unreachable, argv('status', alice));
  expect(r.code).toBe(5);
  expect(r.stderr).toContain('cannot reach Temporal at 127.0.0.1:1 (TEMPORAL_ADDRESS)');
  expect(r.stderr).toContain('TEMPORAL_NAMESPACE');
  expect(r.stderr + r.stdout).not.toContain(secret);

  const asJson = await offboard(unreachable, argv('list', { json: true }));
  expect(asJson.code).toBe(5);
  expect(json(asJson)).toMatchObject({ error: { kind: 'unreachable', type: 'TemporalUnreachable' } });
  expect(asJson.stdout).not.toContain(secret);

  const badConfig = await offboard({ ...env, TEMPORAL_ADDRESS: 'temporal' }, argv('list'));
  expect(badConfig.code).toBe(2);
  expect(badConfig.stderr).toContain('TEMPORAL_ADDRESS: must be host:port of the Temporal frontend');
});

test("no worker on the run's task queue: the run starts, but a query says that no worker answers (exit 5)", async () => {
  const noWorker = { ...env, TEMPORAL_TASK_QUEUE: `${h.taskQueue}-nobody-polls` };
  const before = await stateWithoutKeyUse(h);
  const started = await offboard(
    noWorker,
    argv('start', { user: 'dave', reason: 'other', requestedBy: 'hr-jane', json: true }),
  );
  expect(started.code).toBe(0);
  const { workflowId } = json<{ workflowId: string }>(started);
  try {
    const r = await offboard(noWorker, argv('status', workflowId), 40_000);
    expect(r).toMatchObject({ code: 5 });
    expect(r.stderr).toContain('no worker answered');
    expect(r.stderr).toContain('npm run worker');
    // The run never ran a step: the emulator saw nothing.
    expect(await stateWithoutKeyUse(h)).toEqual(before);
  } finally {
    await h.client.workflow.getHandle(workflowId).terminate('test cleanup');
  }
}, 60_000);
