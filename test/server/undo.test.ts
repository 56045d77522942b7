/**
 * Undo through the API, as admins make it: only an admin may ask; the undo answers once its checks passed (201,
 * waiting for a second admin) or 409 with the run's reason when it is impossible; approve-undo goes through the
 * decision routes on the undo run, where the run's own four-eyes refusal comes back as a 409.
 */
import { offboardWorkflowId, undoWorkflowId } from '../../common/ids';
import { useHarness } from '../workflows/use-harness';
import { harnessEnv, startApiServer, type ApiServer, waitForRun } from './api-server';

const h = useHarness('api-undo', {
  editFixture: (f) => {
    (f.options as Record<string, unknown>).recycleBin = { retentionDays: 30 };
  },
});
let api: ApiServer;
beforeAll(async () => {
  api = await startApiServer(harnessEnv(h));
});
afterAll(() => api?.stop());

test('an admin asks, a second admin approves: alice is back; a second undo is refused with the reason (409)', async () => {
  const offboarding = offboardWorkflowId(h.accountId, { type: 'user', name: 'alice' });
  const undoRun = undoWorkflowId(h.accountId, { type: 'user', name: 'alice' });
  const started = await api.call('POST', '/v1/offboardings', {
    as: 'hr-jane',
    body: { target: { type: 'user', name: 'alice' }, reason: 'departure' },
  });
  expect(started.status).toBe(201);
  await waitForRun(api, offboarding, (s) => s.stage === 'AwaitingApproval', 'approval');
  expect((await api.call('POST', `/v1/runs/${offboarding}/approve`, { as: 'carol', body: {} })).status).toBe(200);
  await waitForRun(api, offboarding, (s) => s.stage === 'Completed', 'completion');

  const body = { reason: 'HR-1042: the departure was called off' };
  const notAdmin = await api.call('POST', `/v1/runs/${offboarding}/undo`, { as: 'olivia', body });
  expect(notAdmin.status).toBe(403);
  const noReason = await api.call('POST', `/v1/runs/${offboarding}/undo`, { as: 'carol', body: {} });
  expect(noReason.status).toBe(400);

  const undo = await api.call('POST', `/v1/runs/${offboarding}/undo`, { as: 'carol', body });
  expect(undo.status).toBe(201);
  expect(undo.body).toMatchObject({ workflowId: undoRun, joined: false, stage: 'AwaitingApproval' });
  expect(undo.body.details).toMatch(/Restorable until/);

  const fourEyes = await api.call('POST', `/v1/runs/${undoRun}/approve-undo`, { as: 'carol', body: {} });
  expect(fourEyes.status).toBe(409);
  expect(fourEyes.body.refusal).toBe('FourEyes');
  const approved = await api.call('POST', `/v1/runs/${undoRun}/approve-undo`, { as: 'dave', body: {} });
  expect(approved.status).toBe(200);
  const done = await waitForRun(api, undoRun, (s) => s.stage === 'Completed', 'the restore');
  expect(done.outcome).toMatch(/restored from RAM's recycle bin with its uid 2034000000000002/);

  const again = await api.call('POST', `/v1/runs/${offboarding}/undo`, { as: 'dave', body });
  expect(again.status).toBe(409);
  expect(again.body.detail).toMatch(/already restored: it is live again under the name alice/);
});
