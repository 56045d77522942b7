/**
 * The CLI's front door, against the real API and its embedded identity provider: signing in (`offboard login` through
 * the device flow, `whoami`, `logout`), help, bad input, unknown runs, a missing role, and an API it cannot reach.
 * Each bad command exits with its documented code and a message naming the flag and the rule (or the role, or how to
 * sign in), and changes nothing: no run started, no call reached the emulator.
 */
import { chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { offboardWorkflowId } from '../../common/ids';
import { closeTestConnections } from '../support/temporal';
import { argv, type Flags } from './argv';
import {
  type CliWorld,
  journalLength,
  json,
  login,
  offboard,
  packagesLoadedBy,
  runExists,
  startCliWorld,
} from './cli-harness';

let w: CliWorld;
let hr: Record<string, string>;

beforeAll(async () => {
  w = await startCliWorld('cli-input');
  hr = await w.as('hr-jane');
}, 120_000);
afterAll(async () => {
  await w?.stop();
  await closeTestConnections();
});

const commands = [
  'login',
  'logout',
  'whoami',
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
  const top = await offboard({}, argv({ help: true }));
  expect(top.code).toBe(0);
  for (const c of commands) expect(top.stdout).toContain(c);
  expect(top.stdout).toMatch(
    /Exit codes:\n\s+0\s+ok\n\s+1\s+unexpected.*\n\s+2\s+bad input[^]*\n\s+3\s+not found.*\n\s+4\s+refused[^]*\n\s+5\s+unreachable.*\n\s+6\s+stopped short/,
  );
  expect(top.stdout).toContain('OFFBOARD_API_URL');
  expect(top.stdout).not.toContain('TEMPORAL_ADDRESS');
  expect(top.stdout).not.toMatch(/--as\b|--requested-by/);

  const helps = await Promise.all(commands.map((c) => offboard({}, argv(c, { help: true }))));
  helps.forEach((r, i) => {
    expect({ command: commands[i], code: r.code }).toEqual({ command: commands[i], code: 0 });
    expect(r.stdout).toContain(`Usage: offboard ${commands[i]}`);
    expect(r.stdout).toContain('--json');
    expect(r.stdout).toContain('Exit codes:');
    expect(r.stdout).not.toMatch(/--as\b/);
  });
  expect(helps[commands.indexOf('start')].stdout).not.toContain('--requested-by');

  const none = await offboard({}, argv());
  expect(none.code).toBe(2);
  expect(none.stderr).toContain('Usage: offboard');
});

test('offboard --help and status load neither the Temporal client nor an Alibaba SDK', async () => {
  for (const args of [argv({ help: true }), argv('status', { user: 'alice' })]) {
    const loaded = await packagesLoadedBy(args);
    expect(loaded).toContain('commander');
    expect(loaded.filter((p) => /^(@temporalio|@alicloud)\/|^zod$|^openid-client$/.test(p))).toEqual([]);
  }
});

test('offboard login (device flow at the embedded provider), whoami, logout: the session is 0600 and ends', async () => {
  const env = w.nobody();
  const notYet = await offboard(env, argv('whoami'));
  expect(notYet.code).toBe(4);
  expect(notYet.stderr).toContain('not signed in to the offboarding API');
  expect(notYet.stderr).toContain('sign in: offboard login');

  const signedIn = await login(env, { username: 'carol', password: w.api.passwords().carol });
  expect(signedIn.code).toBe(0);
  expect(signedIn.stderr).toMatch(/open this page in a browser \(on any device\):\n\s+http:\/\/127\.0\.0\.1:\d+\/\S+/);
  expect(signedIn.stderr).toMatch(/enter the code\s+\S+/);
  expect(signedIn.stdout).toContain('Signed in as Carol (carol).');
  expect(signedIn.stdout).toMatch(/Roles:\s+admin/);
  const session = join(env.OFFBOARD_CONFIG_DIR, 'session.json');
  expect(statSync(session).mode & 0o777).toBe(0o600);
  expect(statSync(env.OFFBOARD_CONFIG_DIR).mode & 0o077).toBe(0);

  const me = await offboard(env, argv('whoami', { json: true }));
  expect(me.code).toBe(0);
  expect(json(me)).toMatchObject({ subject: 'carol', name: 'Carol', roles: ['admin'], ramUser: 'carol' });
  const human = await offboard(env, argv('whoami'));
  expect(human.stdout).toMatch(/Signed in as:\s+Carol \(carol\)/);

  // A session that others could read is refused: its tokens may have leaked.
  chmodSync(session, 0o644);
  const exposed = await offboard(env, argv('whoami'));
  expect(exposed.code).toBe(4);
  expect(exposed.stderr).toContain('may be read by others');

  const out = await offboard(env, argv('logout'));
  expect(out.code).toBe(0);
  expect(out.stdout).toContain('Signed out Carol (carol)');
  expect(out.stdout).toContain('its refresh token is revoked');
  expect(() => statSync(session)).toThrow();
  const after = await offboard(env, argv('status', { user: 'alice' }));
  expect(after.code).toBe(4);
  expect(after.stderr).toContain('offboard login');

  // A token the API does not accept: 401, exit 4, and how to sign in.
  const forged = await offboard({ ...env, OFFBOARD_TOKEN: 'e30.e30.AAAA' }, argv('list', { json: true }));
  expect(forged.code).toBe(4);
  expect(json(forged)).toMatchObject({ error: { kind: 'refused', exitCode: 4, type: 'Unauthenticated' } });
}, 90_000);

test('bob has no role: whoami works, everything else is 403 naming the role it needs (exit 4)', async () => {
  const bob = await w.as('bob');
  const me = await offboard(bob, argv('whoami'));
  expect(me.code).toBe(0);
  expect(me.stdout).toMatch(/Roles:\s+none/);
  const before = await journalLength(w.h);
  const cases: Array<[string[], RegExp]> = [
    [argv('list'), /role/],
    [argv('status', { user: 'alice' }), /role/],
    [argv('start', { user: 'alice', reason: 'departure' }), /hr/],
    [argv('revoke', { user: 'alice' }), /security/],
  ];
  for (const [args, role] of cases) {
    const r = await offboard(bob, args);
    expect({ args, code: r.code }).toEqual({ args, code: 4 });
    expect(r.stderr).toMatch(/This needs the role /);
    expect(r.stderr).toMatch(role);
  }
  const asJson = json(await offboard(bob, argv('start', { user: 'alice', reason: 'departure', json: true })));
  expect(asJson).toMatchObject({ error: { kind: 'refused', exitCode: 4, type: 'Forbidden' } });
  expect(await journalLength(w.h)).toBe(before);
  expect(await runExists(w.h.client, offboardWorkflowId(w.h.accountId, { type: 'user', name: 'alice' }))).toBe(false);
});

// [flags beside a valid reason, the message expected on stderr]
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
  [{ user: 'alice', requestedBy: 'hr-jane' }, /unknown option '--requested-by'/],
  [{ user: 'alice', cluster: 'prod-1' }, /--cluster "prod-1": must start with "c"/],
  [{ user: 'alice', cluster: ['c-prod-1', 'c-prod-1'] }, /--cluster: must be a non-empty list of distinct cluster ids/],
  [{ user: 'alice', deleteNotBefore: 'next week' }, /--delete-not-before: must be an ISO-8601 date-time/],
  [{ user: 'alice', deleteNotBefore: '2026-02-31T00:00:00Z' }, /--delete-not-before: .*exists in the calendar/],
  [{ user: 'alice', ticket: 'HR 12' }, /--ticket "HR 12": must be 1-255 characters/],
  [{ user: 'alice', comment: 'ok\u001b[2Jgone' }, /--comment: must be a non-empty text .* without control/],
  [
    { user: 'alice', wait: true, waitTimeout: 'soon' },
    /'--wait-timeout <duration>' argument 'soon' is invalid\. must be a positive duration/,
  ],
  // What only the API knows (its account, the worker's own identity) it refuses, naming the flag.
  [{ user: 'root' }, /--user: the root account cannot be offboarded/],
  [{ user: 'offboarding-bot' }, /--user: the worker's own identity cannot be offboarded/],
];

test.each(badStarts)('start %j is refused before anything changes: exit 2 and %s', async (flags, message) => {
  const before = await journalLength(w.h);
  const r = await offboard(hr, argv('start', { reason: 'departure' }, flags));
  expect(r.stderr).toMatch(message);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(await journalLength(w.h)).toBe(before);
  for (const name of ['alice', 'root', 'offboarding-bot']) {
    expect(await runExists(w.h.client, offboardWorkflowId(w.h.accountId, { type: 'user', name }))).toBe(false);
  }
});

const alice = { user: 'alice' };
// [command line, the message expected on stderr]
const badCommands: Array<[Array<string | Flags>, RegExp]> = [
  [['approve', alice, { as: 'carol' }], /unknown option '--as'/],
  [['approve', 'offboard/1/user/alice', alice], /give either RUN or --user\/--role, not both/],
  [['approve', 'alice'], /RUN "alice": must be a run id like offboard\/<account>\/user\/<name>/],
  [['approve'], /name the run: give RUN \(a workflow id\) or --user NAME \/ --role NAME/],
  [['approve', { user: 'al ice' }], /--user "al ice": must be 1-64 characters/],
  [['approve', alice, { comment: ' ' }], /--comment: must be a non-empty text/],
  [['reject', alice], /required option '--reason <text>' not specified/],
  [
    ['resolve', alice, { proceed: true, abort: true, note: 'x' }],
    /option '--proceed' cannot be used with option '--abort'/,
  ],
  [['resolve', alice, { note: 'x' }], /give exactly one of --proceed or --abort/],
  [['resolve', alice, { proceed: true }], /required option '--note <text>' not specified/],
  [['rescind', alice], /required option '--reason <text>' not specified/],
  [['abort', alice], /required option '--reason <text>' not specified/],
  [['list', { stage: 'Stuck' }], /'--stage <stage>' argument 'Stuck' is invalid\. Allowed choices are Inventory, /],
  [['list', { requestedBy: "x' OR 'a'='a" }], /--requested-by "x' OR 'a'='a": must be 1-255 characters/],
  [['list', { limit: '0' }], /'--limit <n>' argument '0' is invalid\. must be a whole number of at least 1/],
  [
    ['audit', alice, { format: 'xml' }],
    /'--format <format>' argument 'xml' is invalid\. Allowed choices are table, md, json/,
  ],
  [['audit', alice, { verify: '/tmp/x.jsonl' }], /--verify FILE checks a file: give no RUN/],
  [['revoke', { user: 'bob', cluster: 'C-PROD' }], /--cluster "C-PROD": must start with "c"/],
  [['revoke', { user: 'bob', reason: 'because' }], /Allowed choices are departure, compromise, other/],
  [['revoke-own'], /required option '--cluster <id>' not specified/],
  [['revoke-own', { cluster: 'prod' }], /--cluster "prod": must start with "c"/],
  [['plan'], /name the identity with --user NAME or --role NAME/],
  [['status', 'revoke/123/group/x'], /RUN "revoke\/123\/group\/x": must be a run id/],
  [['frobnicate'], /unknown command 'frobnicate'/],
  [['status', alice, { verbose: true }], /unknown option '--verbose'/],
];

test.each(badCommands)('%j is bad input: exit 2 and %s, nothing changed', async (command, message) => {
  const before = await journalLength(w.h);
  const r = await offboard(hr, argv(...command));
  expect(r.stderr).toMatch(message);
  expect(r.code).toBe(2);
  expect(await journalLength(w.h)).toBe(before);
});

test('a run that does not exist: exit 3 and the id that was looked for, whether named by id or by --user', async () => {
  const id = offboardWorkflowId(w.h.accountId, { type: 'user', name: 'nobody' });
  const byId = await offboard(hr, argv('status', id));
  expect(byId.code).toBe(3);
  expect(byId.stderr).toContain(`error: no run ${id} in namespace`);

  const byUser = await offboard(hr, argv('rescind', { user: 'nobody', reason: 'x' }));
  expect(byUser.code).toBe(3);
  expect(byUser.stderr).toContain(`no offboarding or revocation run for user/nobody in account ${w.h.accountId}`);

  const asJson = await offboard(hr, argv('audit', id, { json: true }));
  expect(asJson.code).toBe(3);
  expect(json(asJson)).toEqual({
    error: expect.objectContaining({ kind: 'not-found', exitCode: 3, message: expect.stringContaining(id) }),
  });
  expect(await runExists(w.h.client, id)).toBe(false);
});

test('an unreachable API: exit 5 and the URL tried; a URL that would send the token in clear text: exit 2', async () => {
  // A token from the environment (a script's), so that the CLI gets as far as calling the API.
  const nowhere = {
    ...w.nobody(),
    OFFBOARD_API_URL: 'http://127.0.0.1:1',
    OFFBOARD_TOKEN: await w.api.token('olivia'),
  };
  const r = await offboard(nowhere, argv('status', alice));
  expect(r.code).toBe(5);
  expect(r.stderr).toContain('cannot reach the offboarding API at http://127.0.0.1:1 (OFFBOARD_API_URL)');
  const asJson = await offboard(nowhere, argv('list', { json: true }));
  expect(json(asJson)).toMatchObject({ error: { kind: 'unreachable', exitCode: 5, type: 'ApiUnreachable' } });

  const plain = await offboard({ ...hr, OFFBOARD_API_URL: 'http://offboarding.example.com' }, argv('list'));
  expect(plain.code).toBe(2);
  expect(plain.stderr).toContain('must be an https URL; plain http only to this machine');

  // The session is for the API it was made at: another API gets no token.
  const other = await offboard({ ...hr, OFFBOARD_API_URL: 'https://offboarding.example.com' }, argv('list'));
  expect(other.code).toBe(4);
  expect(other.stderr).toContain('the token is sent only where it was made for');
});
