/**
 * Activities against the emulator through the real SDKs, built by the production factory from a configuration —
 * idempotency, classification of faults, the deletion guard, and no secret in any failure.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Credential, { Config as CredentialConfig } from '@alicloud/credentials';
import {
  createActivities,
  createAlibabaClients,
  consoleNotifier,
  auditSigner,
  jsonLinesAuditSink,
  verifyAuditFile,
  webhookNotifier,
} from '../../activities';
import { makeRedactor } from '../../activities/classify';
import { FailureType } from '../../common/errors';
import { revocationProofDigest, summarizeRevocationProof } from '../../common/revocation-proof';
import {
  type KubeconfigState,
  type RevocationProof,
  type RevocationProofSummary,
  type TargetIdentity,
} from '../../common/types';
import { startEmulator } from '../../emulator';
import { makeTestTrust } from '../support/trust';
import { failure } from './expect-failure';
import { generateSigningKey } from '../../config/trust-keys';
import { activityDepsFromConfig } from '../../activities/from-config';
import { loadWorkerConfig } from '../../config/worker';
import {
  clearFaults,
  emulatorState,
  fixtureWithOwnAccount,
  journal,
  setFaults,
  workerEnv,
  type Emulator,
} from '../workflows/harness';

let emulator: Emulator;
let accountId: string;
let acts: ReturnType<typeof createActivities>;
let trustedKeysPath: string;
const alice = { type: 'user' as const, name: 'alice' };
const ALICE_UID = '2034000000000002';

/** A proof for alice as verification makes one, with these kubeconfig states. */
function aliceProof(kubeconfigs: KubeconfigState[] = []): RevocationProof {
  return {
    kind: 'RevocationProof',
    uid: ALICE_UID,
    target: alice,
    verifiedAt: new Date().toISOString(),
    kubeconfigs,
    grantsRemaining: 0,
  };
}

beforeAll(async () => {
  const fixture = fixtureWithOwnAccount();
  accountId = fixture.accountId;
  emulator = await startEmulator({ port: 0, fixturePath: fixture.path, taskDelayMs: 100 });
  trustedKeysPath = (await makeTestTrust()).trustedKeysPath;
  const config = loadWorkerConfig(
    workerEnv(emulator.endpoint, accountId, mkdtempSync(join(tmpdir(), 'audit-')), 'unused', trustedKeysPath),
  );
  acts = createActivities({ ...(await activityDepsFromConfig(config)), notifier: consoleNotifier(() => undefined) });
});
afterAll(async () => {
  await emulator?.close();
});
beforeEach(() => emulator.reset());

function secrets(): string[] {
  return [...emulator.fixture.account.rootAccessKeys, ...emulator.fixture.users.flatMap((u) => u.accessKeys)].map(
    (k) => k.secret,
  );
}

function expectNoSecret(text: string): void {
  for (const s of secrets()) expect(text).not.toContain(s);
}

test('inventory snapshots alice; a missing user is not an error', async () => {
  const inv = await acts.inventoryIdentity({ accountId, target: alice });
  if (!inv.exists) throw new Error('alice should exist');
  expect(inv.inventory).toMatchObject({ uid: ALICE_UID, groups: ['developers'], mfaSerialNumber: expect.any(String) });
  expect(inv.inventory.kubeconfigs.map((k) => k.certState)).toEqual(['Unexpired', 'Unexpired']);
  expect(inv.inventory.grants).toHaveLength(2);
  expectNoSecret(JSON.stringify(inv));
  const gone = await acts.inventoryIdentity({ accountId, target: { type: 'user', name: 'nobody' } });
  expect(gone).toMatchObject({ exists: false, leftoverKubeconfigs: [] });
});

test('the worker itself and other accounts are refused before any call', async () => {
  const before = (await journal(emulator)).length;
  expect(
    (await failure(acts.inventoryIdentity({ accountId, target: { type: 'user', name: 'offboarding-bot' } }))).type,
  ).toBe(FailureType.InvalidInput);
  expect((await failure(acts.inventoryIdentity({ accountId: '1111111111111111', target: alice }))).type).toBe(
    FailureType.InvalidInput,
  );
  expect((await journal(emulator)).length).toBe(before);
});

test('quarantine steps and their undo are idempotent', async () => {
  const key = { userName: 'alice', accessKeyId: 'LTAIdemoAlice000000001' };
  await acts.deactivateAccessKey(key);
  await acts.deactivateAccessKey(key);
  expect((await acts.blockConsoleLogin({ userName: 'alice' })).changed).toBe(true);
  expect((await acts.blockConsoleLogin({ userName: 'alice' })).changed).toBe(false);
  let state = await emulatorState(emulator);
  let user = (
    state.users as Array<{ name: string; accessKeys: Array<{ status: string }>; loginProfile?: unknown }>
  ).find((u) => u.name === 'alice');
  expect(user?.accessKeys[0].status).toBe('Inactive');
  expect(user?.loginProfile).toBeUndefined();

  const profile = { passwordResetRequired: false, mfaBindRequired: false };
  expect((await acts.restoreConsoleLogin({ userName: 'alice', profile })).changed).toBe(true);
  expect((await acts.restoreConsoleLogin({ userName: 'alice', profile })).changed).toBe(false);
  await acts.activateAccessKey(key);
  state = await emulatorState(emulator);
  user = (state.users as (typeof user)[]).find((u) => u?.name === 'alice');
  expect(user?.accessKeys[0].status).toBe('Active');
  expect(user?.loginProfile).toMatchObject({ passwordResetRequired: true });
  // The generated password never leaves the activity: the journal redacts it, our results never had it.
  expect(JSON.stringify(await journal(emulator))).not.toMatch(/Aa1!/);
});

test('clean, task polling and verification; re-grant restores the snapshot', async () => {
  const inv = await acts.inventoryIdentity({ accountId, target: alice });
  if (!inv.exists) throw new Error('alice should exist');
  const notYet = await failure(acts.verifyRevocation({ uid: ALICE_UID }));
  expect(notYet).toMatchObject({ type: FailureType.RevocationNotVerified, nonRetryable: false });

  const clean = await acts.cleanPermissions({ uid: ALICE_UID, target: alice, force: false });
  expect(clean.taskId).toBeTruthy();
  // The task takes 100 ms: one call follows it to its end (DescribeTaskInfo), its looks at least 50 ms apart from the
  // first, 50 ms after the call began: two looks at most, one when the machine is slow enough to look late.
  const polls = async () => (await journal(emulator)).filter((e) => e.action === 'DescribeTaskInfo').length;
  const before = await polls();
  expect((await acts.awaitCleanTask({ taskId: clean.taskId as string })).state).toBe('success');
  expect((await polls()) - before).toBeGreaterThanOrEqual(1);
  expect((await polls()) - before).toBeLessThanOrEqual(2);
  const verified = await acts.verifyRevocation({ uid: ALICE_UID, taskId: clean.taskId });
  expect(verified.grantsRemaining).toBe(0);

  await acts.regrantPermissions({ uid: ALICE_UID, grants: inv.inventory.grants });
  await acts.regrantPermissions({ uid: ALICE_UID, grants: inv.inventory.grants });
  const again = await acts.inventoryIdentity({ accountId, target: alice });
  if (!again.exists) throw new Error('alice should exist');
  expect(again.inventory.grants).toEqual(inv.inventory.grants);
});

test("bob's recent cluster use refuses a clean without Force, non-retryably; Force cleans", async () => {
  const refused = await failure(
    acts.cleanPermissions({ uid: '2034000000000003', target: { type: 'user', name: 'bob' }, force: false }),
  );
  expect(refused).toMatchObject({ type: FailureType.RecentClusterAccess, nonRetryable: true });
  const forced = await acts.cleanPermissions({
    uid: '2034000000000003',
    target: { type: 'user', name: 'bob' },
    force: true,
  });
  expect(forced.taskId).toBeTruthy();
});

test('deletion needs a matching proof, and re-checks the live state before DeleteUser', async () => {
  const proof = aliceProof();
  const noProof = await failure(acts.deleteIdentity({ proof: undefined as unknown as RevocationProof, target: alice }));
  expect(noProof).toMatchObject({ type: FailureType.MissingRevocationProof, nonRetryable: true });
  const otherTarget = await failure(acts.deleteIdentity({ proof, target: { type: 'user', name: 'bob' } }));
  expect(otherTarget.type).toBe(FailureType.MissingRevocationProof);
  const unrevoked = await failure(
    acts.deleteAccessKey({
      proof: { ...proof, kubeconfigs: [{ clusterId: 'c-prod-1', certState: 'Unexpired' }] },
      target: alice,
      accessKeyId: 'x',
    }),
  );
  expect(unrevoked.type).toBe(FailureType.MissingRevocationProof);
  // A forged proof for alice, whose kubeconfigs are still valid: the live re-check stops DeleteUser, and says the
  // identity can use the clusters again (the workflow then revokes again before any deletion).
  const live = await failure(acts.deleteIdentity({ proof, target: alice }));
  expect(live).toMatchObject({ type: FailureType.UsableAgain, nonRetryable: true });
  expect(live.message).toMatch(/kubeconfig on c-prod-1 \(Unexpired\)/);
  expect((await journal(emulator)).filter((e) => e.action === 'DeleteUser')).toEqual([]);
});

test('deletion activities take the summary of a proof: accepted for its identity with nothing usable, refused otherwise', async () => {
  const proof = aliceProof([
    { clusterId: 'c-prod-1', certState: 'Removed' },
    { clusterId: 'c-staging-1', certState: 'Unissued' },
  ]);
  const summary = summarizeRevocationProof(proof);
  expect(summary).toEqual({
    kind: 'RevocationProofSummary',
    target: alice,
    uid: ALICE_UID,
    verifiedAt: proof.verifiedAt,
    clustersChecked: 2,
    clustersUsable: 0,
    grantsRemaining: 0,
    proofSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
  });
  // The digest names the proof: the same proof (members in any order) gives it, any change to the proof another.
  const reordered = {
    grantsRemaining: 0 as const,
    kubeconfigs: proof.kubeconfigs,
    verifiedAt: proof.verifiedAt,
    target: { name: 'alice', type: 'user' as const },
    uid: ALICE_UID,
    kind: 'RevocationProof' as const,
  };
  expect(revocationProofDigest(reordered)).toBe(summary.proofSha256);
  expect(revocationProofDigest({ ...proof, verifiedAt: '2026-01-01T00:00:00.000Z' })).not.toBe(summary.proofSha256);
  expect(revocationProofDigest({ ...proof, kubeconfigs: [proof.kubeconfigs[0]] })).not.toBe(summary.proofSha256);

  // Accepted: the plan is listed, and the deletion steps run (alice's kubeconfigs are cleaned first, as in a run).
  await acts.cleanPermissions({ uid: ALICE_UID, target: alice, force: true });
  await new Promise((r) => setTimeout(r, 300));
  const plan = await acts.planDeletion({ proof: summary, target: alice });
  expect(plan.groups).toEqual(['developers']);
  expect((await acts.removeUserFromGroup({ proof: summary, target: alice, groupName: 'developers' })).changed).toBe(
    true,
  );
  expect((await acts.checkBeforeDeletion({ proof: summary, target: alice })).identityExists).toBe(true);

  // Refused, before any call to Alibaba, for another identity, anything usable, grants left, or no digest.
  const before = (await journal(emulator)).length;
  const refusals: Array<[RevocationProofSummary, TargetIdentity, RegExp]> = [
    [summary, { type: 'user', name: 'bob' }, /the proof is for user\/alice/],
    [{ ...summary, target: { type: 'role', name: 'alice' } }, alice, /the proof is for role\/alice/],
    [{ ...summary, clustersUsable: 1 }, alice, /still usable on 1 cluster/],
    [{ ...summary, grantsRemaining: 2 }, alice, /2 RBAC grant\(s\) remain/],
    [{ ...summary, proofSha256: '' }, alice, /no SHA-256 of the proof/],
    [{ ...summary, uid: '' }, alice, /names no uid/],
  ];
  for (const [bad, target, why] of refusals) {
    for (const attempt of [
      () => acts.deleteIdentity({ proof: bad, target }),
      () => acts.deleteAccessKey({ proof: bad, target, accessKeyId: 'LTAIdemoAlice000000001' }),
      () => acts.planDeletion({ proof: bad, target }),
      () => acts.checkBeforeDeletion({ proof: bad, target }),
    ]) {
      const refused = await failure(attempt());
      expect(refused).toMatchObject({ type: FailureType.MissingRevocationProof, nonRetryable: true });
      expect(refused.message).toMatch(why);
    }
  }
  expect((await journal(emulator)).length).toBe(before);
});

test('deletion steps are idempotent: NotFound is success', async () => {
  const proof = aliceProof();
  await acts.cleanPermissions({ uid: ALICE_UID, target: alice, force: true });
  await new Promise((r) => setTimeout(r, 300));
  const plan = await acts.planDeletion({ proof, target: alice });
  expect(plan).toMatchObject({
    accessKeyIds: ['LTAIdemoAlice000000001'],
    groups: ['developers'],
    loginProfile: true,
    mfa: true,
  });
  for (let i = 0; i < 2; i++) {
    for (const accessKeyId of plan.accessKeyIds) await acts.deleteAccessKey({ proof, target: alice, accessKeyId });
    for (const groupName of plan.groups) await acts.removeUserFromGroup({ proof, target: alice, groupName });
    for (const policy of plan.policies) await acts.detachPolicy({ proof, target: alice, policy });
    await acts.deleteLoginProfile({ proof, target: alice });
    await acts.unbindMfaDevice({ proof, target: alice });
    const r = await acts.deleteIdentity({ proof, target: alice });
    expect(r.changed).toBe(i === 0);
  }
  expect((await acts.inventoryIdentity({ accountId, target: alice })).exists).toBe(false);
});

describe('faults are classified', () => {
  afterEach(() => clearFaults(emulator));

  test('throttling → Throttled, retryable, with the service retry-after as first delay', async () => {
    await setFaults(emulator, { rules: [{ action: 'GetUser', kind: 'throttle', retryAfterMs: 250 }] });
    const f = await failure(acts.resolveIdentity({ accountId, target: alice }));
    expect(f).toMatchObject({ type: FailureType.Throttled, nonRetryable: false, nextRetryDelay: 250 });
  });

  test('5xx and dropped connections → Unavailable, retryable', async () => {
    await setFaults(emulator, {
      rules: [
        { action: 'GetUser', kind: 'server-error', count: 1 },
        { action: 'GetUser', kind: 'drop', count: 1 },
      ],
    });
    expect(await failure(acts.resolveIdentity({ accountId, target: alice }))).toMatchObject({
      type: FailureType.Unavailable,
      nonRetryable: false,
    });
    expect(await failure(acts.resolveIdentity({ accountId, target: alice }))).toMatchObject({
      type: FailureType.Unavailable,
      nonRetryable: false,
    });
  });

  /** Production activities whose SDK clients sign as the worker's key id with `secret` (its real one by default). */
  async function botActivities(options: { secret?: string; readTimeoutMs?: number; redactSecret?: boolean } = {}) {
    const secret =
      options.secret ?? emulator.fixture.users.find((u) => u.name === 'offboarding-bot')!.accessKeys[0].secret;
    const deps = await activityDepsFromConfig(
      loadWorkerConfig(workerEnv(emulator.endpoint, accountId, tmpdir(), 'unused', trustedKeysPath)),
    );
    return createActivities({
      ...deps,
      clients: createAlibabaClients({
        csEndpoint: emulator.endpoint,
        ramEndpoint: emulator.endpoint,
        protocol: 'http',
        region: 'cn-hangzhou',
        credential: new Credential(
          new CredentialConfig({ type: 'access_key', accessKeyId: 'LTAIdemoOffboardBot001', accessKeySecret: secret }),
        ),
        readTimeoutMs: options.readTimeoutMs,
      }),
      ...(options.redactSecret ? { redact: makeRedactor([secret]) } : {}),
    });
  }

  test('a call slower than the SDK read timeout → Unavailable, retryable', async () => {
    const fast = await botActivities({ readTimeoutMs: 200 });
    await setFaults(emulator, { rules: [{ action: 'GetUser', kind: 'latency', latencyMs: 1_000, count: 1 }] });
    expect(await failure(fast.resolveIdentity({ accountId, target: alice }))).toMatchObject({
      type: FailureType.Unavailable,
      nonRetryable: false,
    });
  });

  test('a bad signature (wrong secret) → AccessDenied, and the secret is nowhere in the failure', async () => {
    const wrongSecret = 'wrongSecretThatMustNotLeak0001';
    const denied = await botActivities({ secret: wrongSecret, redactSecret: true });
    const f = await failure(denied.resolveIdentity({ accountId, target: alice }));
    expect(f).toMatchObject({ type: FailureType.AccessDenied, nonRetryable: true });
    const text = JSON.stringify({ message: f.message, details: f.details, stack: f.stack });
    expect(text).not.toContain(wrongSecret);
    expectNoSecret(text);
  });
});

describe('sinks', () => {
  let server: Server;
  let received: unknown[] = [];
  let status = 200;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.statusCode = status;
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('the webhook gets the notification; a 5xx answer is a retryable failure', async () => {
    const port = (server.address() as { port: number }).port;
    const deps = await activityDepsFromConfig(
      loadWorkerConfig(workerEnv(emulator.endpoint, accountId, tmpdir(), 'unused', trustedKeysPath)),
    );
    const withHook = createActivities({
      ...deps,
      notifier: webhookNotifier(`http://127.0.0.1:${port}/hook`, { consoleUrl: 'https://offboard.example.com/' }),
    });
    received = [];
    await withHook.notify({ event: 'blocked', workflowId: 'offboard/1/user/alice', subject: 's', text: 't' });
    // A chat tool shows the title and the text, which ends with the run page's link.
    const link = 'https://offboard.example.com/console/runs/offboard/1/user/alice';
    expect(received).toEqual([
      { title: 's', text: `t\nOpen the run: ${link}`, link, event: 'blocked', workflowId: 'offboard/1/user/alice' },
    ]);
    status = 503;
    expect(
      await failure(withHook.notify({ event: 'blocked', workflowId: 'w', subject: 's', text: 't' })),
    ).toMatchObject({ type: FailureType.Unavailable, nonRetryable: false });
  });

  test('item 17: the audit sink appends by sequence number: a batch sent twice is written once, chained and signed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-'));
    const key = generateSigningKey('audit-test');
    const sink = jsonLinesAuditSink(dir, auditSigner(key));
    const run = { workflowId: 'offboard/1/user/alice', runId: 'r1', workflow: 'offboardIdentity' };
    const entry = (action: string) => ({ time: 't', actor: 'a', action, target: 'user/alice', outcome: 'ok' as const });
    const first = await sink.append({ ...run, firstSeq: 1, entries: [entry('a'), entry('b')] });
    expect(first.lastSeq).toBe(2);
    const once = readFileSync(first.location, 'utf8');
    // The same batch again (an activity retried after its answer was lost): nothing new is written.
    expect(await sink.append({ ...run, firstSeq: 1, entries: [entry('a'), entry('b')] })).toEqual(first);
    expect(readFileSync(first.location, 'utf8')).toBe(once);
    // The next batch overlaps the last one: only entry 3 is new.
    expect((await sink.append({ ...run, firstSeq: 2, entries: [entry('b'), entry('c')] })).lastSeq).toBe(3);
    const lines = readFileSync(first.location, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.seq, l.action, l.sig !== undefined])).toEqual([
      [1, 'a', false],
      [2, 'b', true],
      [3, 'c', true],
    ]);
    expect(lines[1].prev).toBe(lines[0].hash);
    const publicKey = [{ kid: key.kid, x: key.x }];
    expect(verifyAuditFile(first.location, { keys: publicKey })).toMatchObject({
      ok: true,
      runs: [expect.objectContaining({ entries: 3, signedThrough: 3 })],
    });
    // A sink that lost its copy says how much it holds, and takes the whole trail again.
    rmSync(first.location);
    expect((await sink.append({ ...run, firstSeq: 4, entries: [entry('d')] })).lastSeq).toBe(0);
    await sink.append({ ...run, firstSeq: 1, entries: ['a', 'b', 'c', 'd'].map(entry) });
    expect(verifyAuditFile(first.location, { keys: publicKey })).toMatchObject({ ok: true, runs: [{ entries: 4 }] });
  });
});
