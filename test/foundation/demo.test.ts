/**
 * `npm start`, as a new user runs it: hr-jane starts alice's offboarding through the API and the demo reaches
 * AwaitingApproval; the sign-in instructions it prints work as printed (carol signs in at the printed provider with
 * the printed password, and her approval through the printed API is accepted); the printed Temporal command works;
 * and Ctrl-C (SIGINT) stops everything it started. Own ports and data directory, so it never meets a demo that a
 * developer has running. (The printed `npx offboard login/approve` lines need the CLI that talks to the API.)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertPortFree, freePort, repoRoot } from '../../scripts/local-temporal';
import { signInWithDeviceFlow } from '../../server/idp/headless-sign-in';
import { waitForOutput } from '../support/process-output';

let demo: ChildProcess | undefined;
afterAll(() => {
  if (demo?.pid && demo.exitCode === null) process.kill(demo.pid, 'SIGKILL');
});

/** The printed command line that contains `needle`, without its trailing comment. */
function printedCommand(output: string, needle: string): string {
  const line = output.split('\n').find((l) => l.includes(needle));
  if (!line) throw new Error(`the demo did not print a command with "${needle}"`);
  return line.replace(/\s+#.*$/, '').trim();
}

function runAsPrinted(command: string): { code: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.TEMPORAL_ADDRESS; // only what the printed line says
  const r = spawnSync('sh', ['-c', command], { cwd: repoRoot, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('npm start: the demo waits for approval, its sign-in instructions work, and SIGINT stops all it started', async () => {
  const [grpcPort, uiPort, emulatorPort, apiPort, idpPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_PORT: String(grpcPort),
    TEMPORAL_UI_PORT: String(uiPort),
    OFFBOARD_EMULATOR_PORT: String(emulatorPort),
    OFFBOARD_API_LISTEN: `127.0.0.1:${apiPort}`,
    OFFBOARD_IDP_PORT: String(idpPort),
    OFFBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'demo-data-')),
  };
  delete env.TEMPORAL_ADDRESS;
  delete env.TEMPORAL_TASK_QUEUE;
  demo = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts', 'start.ts')], { cwd: repoRoot, env });
  const output = await waitForOutput(demo, /Ctrl-C stops everything this started/, 150_000);

  expect(output).toMatch(/AwaitingApproval\s+Revocation verified; access cut/);
  expect(output).toContain(`Temporal UI:            http://127.0.0.1:${uiPort}`);
  const ui = await fetch(`http://127.0.0.1:${uiPort}/`);
  expect(ui.status).toBe(200);

  // The printed sign-in instructions: the provider's URL and carol's password, used as a person would.
  const issuer = /Identity provider \(embedded, demo only\): (\S+)/.exec(output)?.[1];
  expect(issuer).toBe(`http://127.0.0.1:${idpPort}`);
  const carol = /^\s+carol\s+(\S+)\s+admin$/m.exec(output)?.[1];
  expect(carol).toBeDefined();
  const apiUrl = /Offboarding API:\s+(\S+)/.exec(output)?.[1];
  expect(apiUrl).toBe(`http://127.0.0.1:${apiPort}`);
  expect(printedCommand(output, 'npx offboard login')).toBe(`OFFBOARD_API_URL=${apiUrl} npx offboard login`);
  const { access_token: token } = await signInWithDeviceFlow({
    issuer: issuer!,
    clientId: 'offboard-cli',
    who: { username: 'carol', password: carol! },
  });
  const approve = await fetch(`${apiUrl}/v1/runs/offboard/1234567890123456/user/alice/approve`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ comment: 'confirmed with HR-1042' }),
  });
  expect(approve.status).toBe(200);
  expect(await approve.json()).toMatchObject({ accepted: true, stage: 'AwaitingApproval' });

  const list = runAsPrinted(printedCommand(output, 'workflow list --address'));
  expect(list.code).toBe(0);

  const exited = new Promise<number | null>((resolve) => demo!.on('exit', (code) => resolve(code)));
  process.kill(demo.pid!, 'SIGINT');
  expect(await exited).toBe(0);
  // The dev server, the UI, the emulator, the API and the provider it started are gone: their ports can be bound again.
  await assertPortFree(grpcPort, '127.0.0.1', 'Temporal gRPC');
  await assertPortFree(uiPort, '127.0.0.1', 'Temporal UI');
  await assertPortFree(emulatorPort, '127.0.0.1', 'emulator');
  await assertPortFree(apiPort, '127.0.0.1', 'API');
  await assertPortFree(idpPort, '127.0.0.1', 'identity provider');
}, 240_000);
