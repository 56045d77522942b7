import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as $Cs from '@alicloud/cs20151215';
import * as $Ram from '@alicloud/ram20150501';
import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import { type RunningEmulator, startEmulator } from '../../emulator';
import { admin, clients, clientsWithKey, expectApiError, journal, sleep, UID } from './clients';

/** The operator side: journal, reset, state dump, persistence across restarts, the CLI, loopback-only admin. */

const getLoginProfile = (emu: RunningEmulator, userName: string) =>
  clients(emu).ram.getLoginProfile(new $Ram.GetLoginProfileRequest({ userName }));
const deleteLoginProfile = (emu: RunningEmulator, userName: string) =>
  clients(emu).ram.deleteLoginProfile(new $Ram.DeleteLoginProfileRequest({ userName }));

describe('journal, reset and state', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
  });
  afterAll(() => emu.close());

  test('every call is journaled in order with seq, time, caller, params, outcome and request id; ?since filters', async () => {
    emu.reset();
    const t0 = Date.now();
    const ok = await getLoginProfile(emu, 'bob');
    await expectApiError(getLoginProfile(emu, 'ci-deployer'), E.loginProfileNotFound, 404);
    const entries = await journal(emu);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toEqual({
      seq: 1,
      receivedAt: expect.any(String),
      time: expect.any(String),
      product: 'ram',
      action: 'GetLoginProfile',
      caller: { accessKeyId: 'LTAIdemoOffboardBot001', identity: 'user/offboarding-bot', uid: UID.bot },
      params: { UserName: 'bob' },
      outcome: 'success',
      statusCode: 200,
      requestId: ok.body?.requestId,
      response: expect.objectContaining({ LoginProfile: expect.objectContaining({ UserName: 'bob' }) }),
      durationMs: expect.any(Number),
    });
    expect(Date.parse(entries[0].time)).toBeGreaterThanOrEqual(t0 - 5);
    // Received before it was answered, and after it was sent.
    expect(Date.parse(entries[0].receivedAt)).toBeGreaterThanOrEqual(t0 - 5);
    expect(Date.parse(entries[0].receivedAt)).toBeLessThanOrEqual(Date.parse(entries[0].time));
    expect(entries[1]).toMatchObject({ seq: 2, outcome: 'error', statusCode: 404, errorCode: E.loginProfileNotFound });
    expect(entries[1].response).toBeUndefined();
    expect(await admin(emu, 'GET', 'journal?since=1')).toEqual([entries[1]]);
  });

  test('reset restores the fixture and clears journal and faults', async () => {
    await deleteLoginProfile(emu, 'bob');
    await admin(emu, 'POST', 'faults', { rules: [{ action: 'GetUser', kind: 'throttle' }] });
    await admin(emu, 'POST', 'reset');
    expect(await journal(emu)).toEqual([]);
    await getLoginProfile(emu, 'bob');
    await clients(emu).ram.getUser(new $Ram.GetUserRequest({ userName: 'bob' }));
    // RunningEmulator.reset() does the same in-process.
    await deleteLoginProfile(emu, 'bob');
    emu.reset();
    await getLoginProfile(emu, 'bob');
  });

  test('GET /__emulator/state dumps the world with secrets redacted', async () => {
    emu.reset();
    await deleteLoginProfile(emu, 'bob');
    const state = await admin<{
      account: { id: string; rootAccessKeys: { secret: string }[] };
      users: { name: string; loginProfile?: unknown; accessKeys: { secret: string }[] }[];
      kubeconfigs: Record<string, { cluster: string; state: string }[]>;
    }>(emu, 'GET', 'state');
    expect(state.account.id).toBe('1234567890123456');
    expect(state.users.find((u) => u.name === 'bob')?.loginProfile).toBeUndefined();
    expect(state.users.find((u) => u.name === 'alice')?.loginProfile).toBeDefined();
    expect(state.kubeconfigs[UID.formerContractor]).toEqual([
      expect.objectContaining({ cluster: 'c-prod-1', state: 'Unexpired' }),
    ]);
    const secrets = [...state.account.rootAccessKeys, ...state.users.flatMap((u) => u.accessKeys)].map((k) => k.secret);
    expect(new Set(secrets)).toEqual(new Set(['***']));
    expect(JSON.stringify(state)).not.toContain('demoBotSecretNotReal');
  });

  test('unknown admin endpoints are 404', async () => {
    const res = await fetch(`${emu.url}/__emulator/nope`);
    expect(res.status).toBe(404);
  });
});

describe('persistence', () => {
  test('state written to statePath survives a restart, including a clean task still running', async () => {
    const statePath = join(mkdtempSync(join(tmpdir(), 'emulator-state-')), 'state.json');
    const first = await startEmulator({ port: 0, statePath, taskDelayMs: 400 });
    await deleteLoginProfile(first, 'bob');
    const created = await clients(first).ram.createUser(new $Ram.CreateUserRequest({ userName: 'erin' }));
    const { cs } = clients(first);
    const task = await cs.cleanUserPermissions(UID.alice, new $Cs.CleanUserPermissionsRequest({}));
    expect((await cs.describeTaskInfo(task.body!.taskId!)).body?.state).toBe('running');
    await first.close();

    const second = await startEmulator({ port: 0, statePath, taskDelayMs: 250 });
    try {
      await expectApiError(getLoginProfile(second, 'bob'), E.loginProfileNotFound, 404);
      const erin = await clients(second).ram.getUser(new $Ram.GetUserRequest({ userName: 'erin' }));
      expect(erin.body?.user?.userId).toBe(created.body?.user?.userId);
      // The task created before the restart lands after it.
      const cs2 = clients(second).cs;
      let state = (await cs2.describeTaskInfo(task.body!.taskId!)).body?.state;
      for (let i = 0; i < 40 && state === 'running'; i++) {
        await sleep(25);
        state = (await cs2.describeTaskInfo(task.body!.taskId!)).body?.state;
      }
      expect(state).toBe('success');
      const states = await cs2.listUserKubeConfigStates(UID.alice, new $Cs.ListUserKubeConfigStatesRequest({}));
      expect(states.body?.states?.map((s) => s.certState)).toEqual(['Removed', 'Removed']);
      // reset() goes back to the fixture and persists that too.
      second.reset();
    } finally {
      await second.close();
    }
    const third = await startEmulator({ port: 0, statePath });
    try {
      await getLoginProfile(third, 'bob');
    } finally {
      await third.close();
    }
  });

  test('changes reach the state file shortly, without waiting for close (debounced write)', async () => {
    const statePath = join(mkdtempSync(join(tmpdir(), 'emulator-state-')), 'state.json');
    const emu = await startEmulator({ port: 0, statePath });
    try {
      await deleteLoginProfile(emu, 'bob');
      await sleep(400);
      const saved = JSON.parse(readFileSync(statePath, 'utf8')) as {
        world: { users: { name: string; loginProfile?: unknown }[] };
      };
      expect(saved.world.users.find((u) => u.name === 'bob')?.loginProfile).toBeUndefined();
      expect(saved.world.users.find((u) => u.name === 'alice')?.loginProfile).toBeDefined();
    } finally {
      await emu.close();
    }
  });
});

test('the CLI prints its address and the demo keys, serves signed calls, and stops on SIGTERM', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'emulator/main.ts', '--port', '0', '--quiet'], {
    cwd: join(__dirname, '..', '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m && out.includes('user/ci-deployer')) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`CLI exited ${code}: ${out}`)));
  });
  try {
    expect(out).toContain('LTAIdemoOffboardBot001');
    const port = Number(new URL(url).port);
    const endpointOnly = { endpoint: `127.0.0.1:${port}`, port } as RunningEmulator;
    const { cs } = clientsWithKey(endpointOnly, 'LTAIdemoOffboardBot001', 'demoBotSecretNotReal00000000001');
    const { body } = await cs.describeClustersV1(new $Cs.DescribeClustersV1Request({}));
    expect(body?.clusters).toHaveLength(2);
  } finally {
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }
});

const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

// Needs a non-loopback interface to connect from; machines without one skip it.
(lanAddress ? test : test.skip)(
  'admin endpoints refuse callers that are not on loopback; the API does not',
  async () => {
    const emu = await startEmulator({ port: 0, host: '0.0.0.0' });
    try {
      const res = await fetch(`http://${lanAddress}:${emu.port}/__emulator/journal`);
      expect(res.status).toBe(403);
      const local = await fetch(`http://127.0.0.1:${emu.port}/__emulator/journal`);
      expect(local.status).toBe(200);
      const { ram } = clientsWithKey(
        { endpoint: `${lanAddress}:${emu.port}` } as RunningEmulator,
        'LTAIdemoOffboardBot001',
        'demoBotSecretNotReal00000000001',
      );
      await ram.getUser(new $Ram.GetUserRequest({ userName: 'alice' }));
    } finally {
      await emu.close();
    }
  },
);
