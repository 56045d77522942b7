/**
 * `npm start`, as a new user runs it: the demo reaches AwaitingApproval, the commands it prints work as printed,
 * and Ctrl-C (SIGINT) stops everything it started. Own ports and data directory, so it never meets a demo that a
 * developer has running.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertPortFree, freePort, repoRoot } from '../../scripts/local-temporal';
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

test('npm start: the demo waits for approval, its printed commands work, and SIGINT stops all it started', async () => {
  const [grpcPort, uiPort, emulatorPort] = [await freePort(), await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_PORT: String(grpcPort),
    TEMPORAL_UI_PORT: String(uiPort),
    OFFBOARD_EMULATOR_PORT: String(emulatorPort),
    OFFBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'demo-data-')),
  };
  delete env.TEMPORAL_ADDRESS;
  delete env.TEMPORAL_TASK_QUEUE;
  demo = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts', 'start.ts')], { cwd: repoRoot, env });
  const output = await waitForOutput(demo, /Ctrl-C stops everything this started/, 120_000);

  expect(output).toMatch(/AwaitingApproval\s+Revocation verified; access cut/);
  expect(output).toContain(`Temporal UI:            http://127.0.0.1:${uiPort}`);
  const ui = await fetch(`http://127.0.0.1:${uiPort}/`);
  expect(ui.status).toBe(200);

  const status = runAsPrinted(printedCommand(output, 'npx offboard status --user alice'));
  expect(status.stderr).toBe('');
  expect(status.code).toBe(0);
  expect(status.stdout).toMatch(/Stage:\s+AwaitingApproval/);

  const approve = runAsPrinted(printedCommand(output, 'npx offboard approve --user alice --as carol'));
  expect(approve.code).toBe(0);
  expect(approve.stdout).toContain('Accepted: approveDeletion by carol');

  const list = runAsPrinted(printedCommand(output, 'workflow list --address'));
  expect(list.code).toBe(0);

  const exited = new Promise<number | null>((resolve) => demo!.on('exit', (code) => resolve(code)));
  process.kill(demo.pid!, 'SIGINT');
  expect(await exited).toBe(0);
  // The dev server, the UI and the emulator it started are gone: their ports can be bound again.
  await assertPortFree(grpcPort, '127.0.0.1', 'Temporal gRPC');
  await assertPortFree(uiPort, '127.0.0.1', 'Temporal UI');
  await assertPortFree(emulatorPort, '127.0.0.1', 'emulator');
}, 180_000);
