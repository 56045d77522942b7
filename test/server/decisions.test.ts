/**
 * Decisions through the API, as people make them, and the run's own refusals coming back as 409 problems with the
 * workflow's refusal type: four eyes on subjects, a departing admin on her own run, a decision in the wrong stage,
 * a rescind by someone who neither requested the run nor is an admin. Here admins are also in HR (a small company:
 * OFFBOARD_ROLE_GROUPS maps the admin group to both roles), so the API lets an admin start a run and the run itself
 * refuses her approval of it.
 */
import { offboardWorkflowId } from '../../common/ids';
import { useHarness } from '../workflows/use-harness';
import { harnessEnv, startApiServer, type ApiServer, waitForRun } from './api-server';

const h = useHarness('api-decisions');
let api: ApiServer;
beforeAll(async () => {
  api = await startApiServer({
    ...harnessEnv(h),
    OFFBOARD_ROLE_GROUPS: 'hr=hr,admin;admin=admin;security=security;oncall=oncall',
  });
});
afterAll(() => api?.stop());

const runOf = (name: string) => offboardWorkflowId(h.accountId, { type: 'user', name });
const awaitingApproval = (s: Record<string, unknown>) => s.stage === 'AwaitingApproval';

test('a second start joins the open run; the requester cannot approve; the run refuses wrong stages and strangers', async () => {
  const body = { target: { type: 'user', name: 'alice' }, reason: 'departure', ticket: 'HR-1042' };
  const first = await api.call('POST', '/v1/offboardings', { as: 'carol', body });
  expect(first.status).toBe(201);
  expect(first.body).toMatchObject({ workflowId: runOf('alice'), joined: false });
  const again = await api.call('POST', '/v1/offboardings', { as: 'dave', body });
  expect(again.body).toMatchObject({ workflowId: runOf('alice'), runId: first.body.runId, joined: true });
  await waitForRun(api, runOf('alice'), awaitingApproval, 'approval');

  const fourEyes = await api.call('POST', `/v1/runs/${runOf('alice')}/approve`, { as: 'carol', body: {} });
  expect(fourEyes.status).toBe(409);
  expect(fourEyes.body).toMatchObject({ type: 'urn:acs-offboarding:problem:refused', refusal: 'FourEyes' });
  expect(fourEyes.body.detail).toMatch(/requested this run/);

  const wrongStage = await api.call('POST', `/v1/runs/${runOf('alice')}/retry`, { as: 'olivia', body: {} });
  expect(wrongStage.status).toBe(409);
  expect(wrongStage.body.refusal).toBe('WrongStage');

  const stranger = await api.call('POST', `/v1/runs/${runOf('alice')}/rescind`, {
    as: 'hr-jane',
    body: { reason: 'not mine' },
  });
  expect(stranger.status).toBe(409);
  expect(stranger.body.refusal).toBe('NotAllowed');

  // Nothing of that changed the run; a second admin approves, and the run deletes alice.
  const approved = await api.call('POST', `/v1/runs/${runOf('alice')}/approve`, {
    as: 'dave',
    body: { comment: 'confirmed with HR-1042' },
  });
  expect(approved.status).toBe(200);
  expect(approved.body).toMatchObject({ accepted: true, stage: 'AwaitingApproval' });
  await waitForRun(api, runOf('alice'), (s) => s.stage === 'Completed', 'completion');

  const audit = await api.call('GET', `/v1/runs/${runOf('alice')}/audit`, { as: 'olivia' });
  expect(audit.body).toMatchObject({ requestedBy: 'carol', stage: 'Completed' });
  const decisions = audit.body.decisions as Array<Record<string, unknown>>;
  expect(decisions).toEqual([
    expect.objectContaining({ kind: 'approveDeletion', actor: 'dave', actorName: 'Dave', verified: true }),
  ]);
  expect(String(decisions[0].token).split('.')).toHaveLength(3);
});

test('a departing admin cannot decide on her own run; the requester may rescind it', async () => {
  const started = await api.call('POST', '/v1/offboardings', {
    as: 'dave',
    body: { target: { type: 'user', name: 'carol' }, reason: 'departure' },
  });
  expect(started.status).toBe(201);
  // carol used a cluster this week: the run asks an admin whether to go on.
  await waitForRun(api, runOf('carol'), (s) => s.pendingDecision === 'dependencies', 'a dependency decision');

  const own = await api.call('POST', `/v1/runs/${runOf('carol')}/resolve`, {
    as: 'carol',
    body: { decision: 'abort', note: 'I am not leaving' },
  });
  expect(own.status).toBe(409);
  expect(own.body.refusal).toBe('OwnOffboarding');

  const rescinded = await api.call('POST', `/v1/runs/${runOf('carol')}/rescind`, {
    as: 'dave',
    body: { reason: 'she stays' },
  });
  expect(rescinded.status).toBe(200);
  await waitForRun(api, runOf('carol'), (s) => s.stage === 'Rescinded', 'the rescind');
  const late = await api.call('POST', `/v1/runs/${runOf('carol')}/approve`, { as: 'dave', body: {} });
  expect(late.status).toBe(409);
  expect(late.body.refusal).toBe('WrongStage');
});

test('no such run is 404; a run whose task queue has no worker is 503', async () => {
  const missing = await api.call('GET', `/v1/runs/${runOf('nobody')}`, { as: 'olivia' });
  expect(missing.status).toBe(404);
  expect(missing.body.type).toBe('urn:acs-offboarding:problem:not-found');

  const workflowId = runOf('dave');
  await h.client.workflow.start('offboardIdentity', {
    workflowId,
    taskQueue: `${h.taskQueue}-without-worker`,
    args: [{ accountId: h.accountId, target: { type: 'user', name: 'dave' }, requestedBy: 'x', reason: 'departure' }],
  });
  try {
    const res = await api.call('GET', `/v1/runs/${workflowId}`, { as: 'olivia' });
    expect(res.status).toBe(503);
    expect(res.body.type).toBe('urn:acs-offboarding:problem:no-worker');
  } finally {
    await h.client.workflow.getHandle(workflowId).terminate('test cleanup');
  }
}, 60_000);
