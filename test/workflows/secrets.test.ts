/**
 * No secret in any error text (issue 13 item 8). The RAM SDK sends CreateLoginProfile's `Password` in the URL query,
 * and Node's HTTP library appends the whole URL to a network error. Here the connection of that call is dropped
 * while a rejection restores access, and every place an error travels to is searched: the workflow history, the
 * worker's log, the audit file, the webhook's bodies and the status query.
 */
import { createServer, type Server } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type WorkflowHandle } from '@temporalio/client';
import { statusQuery } from '../../common/messages';
import { OffboardingStage } from '../../common/stages';
import { decide, people } from '../support/trust';
import { journal, offboardInput, setFaults, startOffboard, waitForStage } from './harness';
import { useHarness } from './use-harness';
import { killAllWorkers, startWorkerProcess } from './worker-process';

const webhookBodies: string[] = [];
let webhook: Server;
let webhookUrl = '';

beforeAll(async () => {
  webhook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      webhookBodies.push(body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  const address = webhook.address();
  webhookUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
});
afterAll(killAllWorkers);
afterAll(() => new Promise<void>((resolve) => webhook.close(() => resolve())));
const h = useHarness('secrets', { inProcessWorker: false });

/** The history as text, payloads decoded (activity failure details are JSON payloads). */
async function historyText(handle: WorkflowHandle): Promise<string> {
  const history = await handle.fetchHistory();
  return JSON.stringify(history, (_key, value: unknown) =>
    value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value,
  );
}

function auditFilesText(): string {
  return readdirSync(h.auditDir)
    .map((f) => readFileSync(join(h.auditDir, f), 'utf8'))
    .join('\n');
}

/** What a leaked request looks like: the password parameter, a query string, or the endpoint's URL. */
function leaks(text: string): string[] {
  const found = [
    ...(text.match(/Password=[^&\s"\\]*/gi) ?? []),
    ...(text.match(/[?&]UserName=/g) ?? []),
    ...(text.includes(`http://${h.emulator.endpoint}`) ? [`http://${h.emulator.endpoint}`] : []),
  ];
  return [...new Set(found)];
}

test('item 8: a dropped CreateLoginProfile leaves its password (and URL) in no history, log, audit file, webhook or status', async () => {
  const worker = await startWorkerProcess({ ...h.env, OFFBOARD_NOTIFY_WEBHOOK: webhookUrl });
  const { handle } = await startOffboard(h, offboardInput(h, 'alice'));
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  // The restore compensation's CreateLoginProfile loses its connection twice, then goes through.
  await setFaults(h.emulator, { rules: [{ action: 'CreateLoginProfile', kind: 'drop', count: 2 }] });
  await decide(h, handle, 'rejectDeletion', { reason: 'wrong person', restoreAccess: true }, people.carol);
  const result = await handle.result();
  expect(result.stage).toBe(OffboardingStage.Rejected);

  // The scenario happened: two dropped calls, then the profile was created.
  const calls = (await journal(h.emulator)).filter((e) => e.action === 'CreateLoginProfile');
  expect(calls.filter((e) => e.fault === 'drop')).toHaveLength(2);
  expect(calls.some((e) => e.outcome === 'success')).toBe(true);
  expect(webhookBodies.length).toBeGreaterThan(0);

  const places = {
    history: await historyText(handle),
    workerLog: worker.output(),
    auditFile: auditFilesText(),
    webhook: webhookBodies.join('\n'),
    status: JSON.stringify(await handle.query(statusQuery)),
  };
  const found = Object.fromEntries(Object.entries(places).map(([where, text]) => [where, leaks(text)]));
  expect(found).toEqual({ history: [], workerLog: [], auditFile: [], webhook: [], status: [] });
});
