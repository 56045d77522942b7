/**
 * Every role × every action through the API, against the real server, the provider's real tokens, Temporal and a
 * worker: a person with a role the action needs gets past the role check (the start starts, the read reads, the
 * decision reaches the run), anyone else gets 403 naming the missing role — before anything is signed or sent.
 */
import { type Action, allowedRoles, rolesNeeded } from '../../common/roles';
import { useHarness } from '../workflows/use-harness';
import { harnessEnv, type PersonName, startApiServer, type ApiServer, waitForRun } from './api-server';

const h = useHarness('api-roles');
let api: ApiServer;
beforeAll(async () => {
  api = await startApiServer(harnessEnv(h));
});
afterAll(() => api?.stop());

const roleOf: Record<PersonName, string | undefined> = {
  'hr-jane': 'hr',
  carol: 'admin',
  dave: 'admin',
  olivia: 'oncall',
  sam: 'security',
  bob: undefined,
};
const everyone = Object.keys(roleOf) as PersonName[];
const may = (person: PersonName, action: Action) =>
  (allowedRoles[action] as readonly string[]).includes(roleOf[person] ?? '');

async function expectRefused(person: PersonName, action: Action, method: string, path: string, body?: unknown) {
  const res = await api.call(method, path, { as: person, body });
  expect({ person, action, status: res.status, missingRole: res.body.missingRole }).toEqual({
    person,
    action,
    status: 403,
    missingRole: rolesNeeded(action),
  });
  expect(res.body.type).toBe('urn:acs-offboarding:problem:forbidden');
}

test('starts: hr offboards, security revokes; nobody else', async () => {
  const offboard = { target: { type: 'user', name: 'alice' }, reason: 'departure', approvalExpiresAfter: '10m' };
  const revoke = { target: { type: 'user', name: 'bob' }, reason: 'compromise' };
  for (const person of everyone) {
    if (!may(person, 'startOffboarding'))
      await expectRefused(person, 'startOffboarding', 'POST', '/v1/offboardings', offboard);
    if (!may(person, 'startRevocation'))
      await expectRefused(person, 'startRevocation', 'POST', '/v1/revocations', revoke);
  }
  const started = await api.call('POST', '/v1/offboardings', { as: 'hr-jane', body: offboard });
  expect(started.status).toBe(201);
  expect(started.body).toMatchObject({ workflowId: `offboard/${h.accountId}/user/alice`, joined: false });
  const revoked = await api.call('POST', '/v1/revocations', { as: 'sam', body: revoke });
  expect(revoked.status).toBe(201);
  expect(revoked.body).toMatchObject({ workflowId: `revoke/${h.accountId}/user/bob`, joined: false });

  // requestedBy is the signed-in subject, whatever anyone types.
  const status = await waitForRun(
    api,
    `offboard/${h.accountId}/user/alice`,
    (s) => s.stage === 'AwaitingApproval',
    'approval',
  );
  expect(status).toMatchObject({ requestedBy: 'hr-jane', requestedByName: 'Jane (HR)' });
});

test('reads and plans: every role; bob (no role) only knows who he is', async () => {
  const run = `offboard/${h.accountId}/user/alice`;
  for (const person of everyone) {
    if (!may(person, 'read')) {
      await expectRefused(person, 'read', 'GET', '/v1/runs');
      await expectRefused(person, 'read', 'GET', `/v1/runs/${run}`);
      await expectRefused(person, 'read', 'GET', `/v1/runs/${run}/audit`);
      await expectRefused(person, 'read', 'GET', '/v1/runs/lookup?user=alice');
      await expectRefused(person, 'plan', 'POST', '/v1/plans', { target: { type: 'user', name: 'carol' } });
      continue;
    }
    const list = await api.call('GET', '/v1/runs?user=alice', { as: person });
    expect(list.status).toBe(200);
    expect((list.body.runs as Array<{ workflowId: string }>).map((r) => r.workflowId)).toContain(run);
    expect((await api.call('GET', `/v1/runs/${run}`, { as: person })).status).toBe(200);
    expect((await api.call('GET', `/v1/runs/${run}/audit`, { as: person })).status).toBe(200);
    expect((await api.call('GET', '/v1/runs/lookup?user=alice', { as: person })).body).toEqual({ workflowId: run });
  }
  for (const person of everyone.filter((p) => may(p, 'plan'))) {
    const plan = await api.call('POST', '/v1/plans', { as: person, body: { target: { type: 'user', name: 'carol' } } });
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({ exists: true, target: { type: 'user', name: 'carol' } });
  }
  const me = await api.call('GET', '/v1/me', { as: 'bob' });
  expect(me.status).toBe(200);
  expect(me.body).toMatchObject({ subject: 'bob', roles: [] });
});

test('decisions: the right roles reach the run (which refuses: it has ended), the others get 403', async () => {
  const run = `revoke/${h.accountId}/user/bob`;
  await waitForRun(api, run, (s) => s.stage === 'Revoked', 'the revocation');
  const decisions: Array<[Action, string, unknown]> = [
    ['approveDeletion', 'approve', {}],
    ['rejectDeletion', 'reject', { reason: 'wrong person', restoreAccess: false }],
    ['resolveDependencies', 'resolve', { decision: 'proceed', note: 'checked' }],
    ['rescind', 'rescind', { reason: 'rehired' }],
    ['retry', 'retry', {}],
    ['abort', 'abort', { reason: 'handled by hand' }],
  ];
  for (const [action, path, body] of decisions) {
    for (const person of everyone) {
      if (!may(person, action)) {
        await expectRefused(person, action, 'POST', `/v1/runs/${run}/${path}`, body);
        continue;
      }
      const res = await api.call('POST', `/v1/runs/${run}/${path}`, { as: person, body });
      expect({ person, action, status: res.status, refusal: res.body.refusal }).toEqual({
        person,
        action,
        status: 409,
        refusal: 'WrongStage',
      });
    }
  }
});
