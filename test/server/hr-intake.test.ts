/**
 * HR intake by webhook, as an HR system (or its relay) sends it: Standard Webhooks signatures made with the
 * `standardwebhooks` library. A leaver event names the person by work email (mapped to the RAM user through the
 * integration's configured field and domain) and starts the offboarding with deleteNotBefore = end of the last day
 * + the grace period; the same event sent again (a new webhook id) joins the run; a rehire rescinds it. A bad
 * signature, a stale timestamp, a replayed id, an unknown person and malformed JSON are refused with their 4xx, start
 * nothing, and are logged with the reason but without the body or the secret.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { offboardWorkflowId } from '../../common/ids';
import { useHarness } from '../workflows/use-harness';
import { harnessEnv, startApiServer, type ApiServer, waitForRun } from './api-server';

const h = useHarness('hr-intake');
const oldSecret = `whsec_${randomBytes(32).toString('base64')}`;
const newSecret = `whsec_${randomBytes(32).toString('base64')}`;
let api: ApiServer;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'offboard-hr-'));
  const integrations = join(dir, 'hr-integrations.json');
  // Rotation: the new secret is listed next to the old one; the sender signs with either.
  writeFileSync(
    integrations,
    JSON.stringify({
      integrations: [
        { name: 'bamboohr', secrets: [newSecret, oldSecret], emailField: 'workEmail', emailDomains: ['example.com'] },
      ],
    }),
    { mode: 0o600 },
  );
  api = await startApiServer({
    ...harnessEnv(h),
    OFFBOARD_HR_INTEGRATIONS: integrations,
    OFFBOARD_HR_GRACE: '3d',
    OFFBOARD_LOG_LEVEL: 'info',
  });
});
afterAll(() => api?.stop());

const runOf = (name: string) => offboardWorkflowId(h.accountId, { type: 'user', name });
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

interface Delivery {
  id?: string;
  /** Seconds since the epoch; now by default. */
  at?: number;
  secret?: string;
  raw?: string;
}

async function deliver(event: unknown, d: Delivery = {}) {
  const id = d.id ?? `msg_${randomUUID()}`;
  const at = d.at ?? Math.floor(Date.now() / 1000);
  const body = d.raw ?? JSON.stringify(event);
  const signature = new Webhook(d.secret ?? oldSecret).sign(id, new Date(at * 1000), body);
  const res = await api.call('POST', '/v1/hr-events', {
    rawBody: body,
    headers: { 'webhook-id': id, 'webhook-timestamp': String(at), 'webhook-signature': signature },
  });
  return { ...res, id };
}

async function openRuns(name: string): Promise<unknown[]> {
  const res = await api.call('GET', `/v1/runs?user=${name}&open=true`, { as: 'olivia' });
  return res.body.runs as unknown[];
}

test('a leaver event starts the run with deleteNotBefore from the last day; again it joins; a rehire rescinds', async () => {
  const lastDay = inDays(5);
  const leaver = {
    type: 'employee.terminated',
    data: { workEmail: 'Alice@example.com', lastDay, reason: 'departure', ticket: 'BHR-77' },
  };
  const first = await deliver(leaver);
  expect(first.status).toBe(201);
  // The end of the last day (UTC) plus the 3-day grace.
  const expected = new Date(Date.parse(`${lastDay}T00:00:00Z`) + 86_400_000 + 3 * 86_400_000).toISOString();
  expect(first.body).toMatchObject({ workflowId: runOf('alice'), joined: false, deleteNotBefore: expected });
  const waiting = await waitForRun(api, runOf('alice'), (s) => s.stage === 'AwaitingApproval', 'approval');
  expect(waiting).toMatchObject({ requestedBy: 'integration:bamboohr', ticket: 'BHR-77' });
  // Approved, the run waits for the last day and the grace period before it deletes anything.
  expect((await api.call('POST', `/v1/runs/${runOf('alice')}/approve`, { as: 'carol', body: {} })).status).toBe(200);
  const scheduled = await waitForRun(api, runOf('alice'), (s) => s.stage === 'ScheduledDeletion', 'the schedule');
  expect(scheduled.deleteNotBefore).toBe(expected);

  // The HR system sends the event again (a new delivery, signed with the new secret): it joins the same run.
  const again = await deliver(leaver, { secret: newSecret });
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ workflowId: runOf('alice'), runId: first.body.runId, joined: true });

  // The same delivery replayed: refused, nothing new.
  const replay = await deliver(leaver, { id: first.id });
  expect(replay.status).toBe(409);
  expect(replay.body).toMatchObject({ refusal: 'WebhookReplayed', runningWorkflowId: runOf('alice') });

  // Rehired before the deletion: the run is rescinded and access comes back.
  const rehire = await deliver({ type: 'employee.rehired', data: { workEmail: 'alice@example.com' } });
  expect(rehire.status).toBe(200);
  expect(rehire.body).toMatchObject({ workflowId: runOf('alice'), rescinded: true, accepted: true });
  await waitForRun(api, runOf('alice'), (s) => s.stage === 'Rescinded', 'the rescind');
}, 120_000);

test('bad signature, stale timestamp, unknown person, malformed JSON, missing headers: refused, nothing started', async () => {
  const bob = { type: 'employee.terminated', data: { ramUser: 'bob', lastDay: inDays(1) } };
  const cases: Array<[string, Promise<{ status: number; body: Record<string, unknown> }>, number, RegExp]> = [
    [
      'bad signature',
      deliver(bob, { secret: `whsec_${randomBytes(32).toString('base64')}` }),
      401,
      /no HR integration secret verifies/,
    ],
    ['stale timestamp', deliver(bob, { at: Math.floor(Date.now() / 1000) - 600 }), 401, /stale/],
    ['future timestamp', deliver(bob, { at: Math.floor(Date.now() / 1000) + 600 }), 401, /stale/],
    ['malformed JSON', deliver(undefined, { raw: '{"type": "employee.terminated", ' }), 400, /must be JSON/],
    [
      'email in another domain',
      deliver({ type: 'employee.terminated', data: { workEmail: 'bob@elsewhere.org', lastDay: inDays(1) } }),
      422,
      /maps to no RAM user/,
    ],
    [
      'no such RAM user',
      deliver({ type: 'employee.terminated', data: { ramUser: 'nobody', lastDay: inDays(1) } }),
      422,
      /no RAM user nobody/,
    ],
    [
      'an impossible last day',
      deliver({ type: 'employee.terminated', data: { ramUser: 'bob', lastDay: '2026-02-31' } }),
      400,
      /Bad input/,
    ],
    ['missing signature headers', api.call('POST', '/v1/hr-events', { body: bob }), 400, /Bad input/],
  ];
  for (const [what, pending, status, detail] of cases) {
    const res = await pending;
    expect({ what, status: res.status }).toEqual({ what, status });
    expect({ what, text: `${res.body.title} ${res.body.detail}` }).toEqual({
      what,
      text: expect.stringMatching(detail),
    });
  }
  expect(await openRuns('bob')).toEqual([]);
  expect(await openRuns('nobody')).toEqual([]);
  // Each refusal is logged with its reason, never with the body or a secret.
  const log = api.output();
  expect(log.match(/hr event refused/g)?.length).toBeGreaterThanOrEqual(cases.length);
  expect(log).toContain('the webhook timestamp is stale');
  expect(log).not.toContain('bob@elsewhere.org');
  expect(log).not.toContain(oldSecret.slice(6));
  expect(log).not.toContain(newSecret.slice(6));
}, 120_000);
