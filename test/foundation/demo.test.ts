/**
 * `npm start`, as a new user runs it: hr-jane starts alice's offboarding through the API and the demo reaches
 * AwaitingApproval; the commands it prints work as printed: `npx offboard login` (carol confirms its code at the
 * provider with the printed password), `npx offboard status`, `npx offboard approve` (accepted, through the printed
 * API), `npx offboard audit`; the first sweep's dry run found former-contractor, and `npx offboard sweep --last` and
 * `--revoke` work as printed; the printed Temporal command works; and Ctrl-C (SIGINT) stops everything it started.
 * Own ports, data directory and CLI config directory, so it never meets a demo or a session a developer has.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertPortFree, freePort, repoRoot } from '../../scripts/local-temporal';
import { confirmLoginOf } from '../cli/cli-harness';
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

/** The environment of a person at a terminal in this folder: their own CLI config directory, nothing of the demo's. */
function terminalEnv(configDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OFFBOARD_CONFIG_DIR: configDir };
  for (const k of Object.keys(env)) if (/^(TEMPORAL_|OFFBOARD_(?!CONFIG_DIR))/.test(k)) delete env[k];
  return env;
}

function runAsPrinted(
  command: string,
  env: NodeJS.ProcessEnv,
): { code: number | null; stdout: string; stderr: string } {
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
  const terminal = terminalEnv(mkdtempSync(join(tmpdir(), 'demo-cli-')));
  const loginLine = printedCommand(output, 'npx offboard login');
  const signIn = spawn('sh', ['-c', loginLine], { cwd: repoRoot, env: terminal, stdio: ['ignore', 'pipe', 'pipe'] });
  const signedIn = await confirmLoginOf(signIn, { username: 'carol', password: carol! });
  expect(signedIn.stderr).toContain(`${issuer}/`);
  expect(signedIn.code).toBe(0);
  expect(signedIn.stdout).toContain('Signed in as Carol (carol).');

  const status = runAsPrinted(printedCommand(output, 'npx offboard status --user alice'), terminal);
  expect(status.code).toBe(0);
  expect(status.stdout).toMatch(/Stage:\s+AwaitingApproval/);
  const approve = runAsPrinted(printedCommand(output, 'npx offboard approve --user alice'), terminal);
  expect(approve.code).toBe(0);
  expect(approve.stdout).toMatch(
    /Accepted:\s+approveDeletion by Carol \(carol\) \(the run was in stage AwaitingApproval\)/,
  );
  const audit = runAsPrinted(printedCommand(output, 'npx offboard audit --user alice --format md'), terminal);
  expect(audit.code).toBe(0);
  expect(audit.stdout).toMatch(/\| approveDeletion \| Carol \(carol\) \| admin \| verified \|/);

  // The first sweep, a dry run, found former-contractor's kubeconfig (deleted by hand 60 days ago) and revoked nothing;
  // the printed commands show it again and revoke it.
  expect(output).toMatch(/orphan user\/former-contractor uid 2034000000000099: gone from RAM .* c-prod-1 Unexpired/);
  const last = runAsPrinted(printedCommand(output, 'npx offboard sweep --last'), terminal);
  expect(last.code).toBe(0);
  expect(last.stdout).toContain('former-contractor');
  const revoke = runAsPrinted(printedCommand(output, 'npx offboard sweep --revoke'), terminal);
  expect(revoke.code).toBe(0);
  let report: { dryRun: boolean; counts: { revoked: number } } | undefined;
  for (let i = 0; i < 60 && !(report && !report.dryRun); i++) {
    const r = runAsPrinted(`${printedCommand(output, 'npx offboard sweep --last')} --json`, terminal);
    report = (JSON.parse(r.stdout) as { report: typeof report }).report;
    if (!report || report.dryRun) await new Promise((res) => setTimeout(res, 1_000));
  }
  expect(report).toMatchObject({ dryRun: false, counts: { revoked: 1 } });

  const list = runAsPrinted(printedCommand(output, 'workflow list --address'), terminal);
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
