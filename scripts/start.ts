/**
 * `npm start`: the project's main job on this machine. It starts the local Temporal dev server (with its UI), the
 * Alibaba Cloud emulator with the demo fixture, the worker, and the offboarding API with its embedded identity
 * provider; then hr-jane signs in and starts the offboarding of `alice` through the API, the run is followed until it
 * waits for an admin's approval, and it prints how each demo person signs in and what to do next.
 * Ctrl-C stops everything it started (a Temporal server that was already running is left running).
 *
 *   npm start                  the demo, against the emulator
 *   npm start -- --reset       the same, from a clean slate (forgets earlier demo runs and emulator state)
 *   npm start -- --live        the worker against real Alibaba Cloud (OFFBOARD_* and credentials from the
 *                              environment); prints what it will do and starts no offboarding by itself
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline/promises';
import { rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { Command } from 'commander';
import { runPagePath } from '../common/console-links';
import { offboardWorkflowId } from '../common/ids';
import { startEmulator, type RunningEmulator } from '../emulator';
import { ConfigError } from '../config/env';
import { DEMO_ACCOUNT_ID } from '../config/alibaba';
import { describeConfig, loadWorkerConfig } from '../config/worker';
import { loadServerConfig, type ServerConfig } from '../config/server';
import { firstSweepAsAdmin, signInInstructions, startAliceAsHr } from './demo-run';
import {
  dataDir,
  findTemporalCli,
  readPidFile,
  repoRoot,
  startLocalServer,
  stopProcess,
  TemporalSetupError,
} from './local-temporal';

const program = new Command()
  .name('npm start --')
  .description('The local Temporal server, the Alibaba Cloud emulator and the worker, with a demo offboarding.')
  .option('--reset', 'forget earlier demo runs and emulator state before starting')
  .option('--live', 'run the worker against real Alibaba Cloud (OFFBOARD_ALIBABA_MODE=live); no demo run')
  .option('--yes', 'with --live: do not ask for confirmation')
  .parse();
const options = program.opts<{ reset?: boolean; live?: boolean; yes?: boolean }>();

const emulatorPort = Number(process.env.OFFBOARD_EMULATOR_PORT || 18080);
const cleanups: Array<() => Promise<void>> = [];
const say = (line = '') => console.log(line);

async function confirmLive(): Promise<void> {
  const config = loadWorkerConfig({ ...process.env, OFFBOARD_ALIBABA_MODE: 'live' });
  say('LIVE MODE: the worker will call the real Alibaba Cloud APIs with these settings:');
  say(`  ${describeConfig(config).split('\n').join('\n  ')}`);
  say('It starts no offboarding by itself; runs start only when someone runs `npx offboard start …` or `revoke …`.');
  say('Every deletion still needs a verified revocation and an admin’s approval.');
  if (options.yes) return;
  if (!process.stdin.isTTY) throw new Error('--live needs confirmation: run it in a terminal, or add --yes.');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await rl.question(`Type the account id (${config.alibaba.accountId}) to go on: `);
  rl.close();
  if (answer.trim() !== config.alibaba.accountId) throw new Error('Not confirmed; nothing was started.');
}

function spawnWorker(env: NodeJS.ProcessEnv): ChildProcess {
  const worker = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'worker', 'main.ts')], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  cleanups.push(async () => {
    if (worker.pid && worker.exitCode === null) await stopProcess(worker.pid, 15_000);
  });
  return worker;
}

/** The offboarding API (`npm run server`), with the embedded identity provider in emulator mode. */
async function spawnServer(env: NodeJS.ProcessEnv, config: ServerConfig): Promise<ChildProcess> {
  const server = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'server', 'main.ts')], {
    cwd: repoRoot,
    env: { ...env, OFFBOARD_LOG_LEVEL: env.OFFBOARD_LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  cleanups.push(async () => {
    if (server.pid && server.exitCode === null) await stopProcess(server.pid, 15_000);
  });
  for (let i = 0; ; i++) {
    if (server.exitCode !== null)
      throw new Error(`The API server stopped (exit ${server.exitCode}); see its output above.`);
    const up = await fetch(`${config.publicUrl}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return server;
    if (i > 600) throw new Error(`The API server did not answer at ${config.publicUrl} within 60 s.`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<void> {
  if (options.live) await confirmLive();

  if (options.reset) {
    const running = readPidFile();
    if (running)
      throw new Error(
        `--reset needs the Temporal server stopped first: npm run temporal -- stop (pid ${running.pid}).`,
      );
    for (const file of ['temporal.db', 'emulator-state.json', 'audit'])
      rmSync(join(dataDir, file), { recursive: true, force: true });
    say('Reset: earlier demo runs, emulator state and audit records removed.');
  }

  const server = await startLocalServer(say);
  if (!server.reused) cleanups.push(async () => void (await stopProcess(server.pid)));
  say(
    `Temporal dev server ${server.reused ? '(already running)' : 'started'}: gRPC ${server.address}, UI ${server.uiUrl}`,
  );

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: server.namespace,
    // The console links each run to its page in this UI.
    OFFBOARD_TEMPORAL_UI_URL: process.env.OFFBOARD_TEMPORAL_UI_URL ?? server.uiUrl,
  };
  let emulator: RunningEmulator | undefined;
  if (options.live) {
    env.OFFBOARD_ALIBABA_MODE = 'live';
  } else {
    const statePath = join(dataDir, 'emulator-state.json');
    emulator = await startEmulator({ port: emulatorPort, statePath });
    const running = emulator;
    cleanups.push(() => running.close());
    env.OFFBOARD_ALIBABA_MODE = 'emulator';
    env.OFFBOARD_CS_ENDPOINT = env.OFFBOARD_RAM_ENDPOINT = emulator.endpoint;
    say(`Alibaba Cloud emulator (demo fixture, state in ${shownPath(statePath)}): ${emulator.url}`);
  }
  loadWorkerConfig(env); // fail here, with the worker's own message, rather than in the child

  const worker = spawnWorker(env);
  const workerExited = new Promise<never>((_, reject) =>
    worker.on('exit', (code, signal) =>
      reject(new Error(`The worker stopped (${signal ?? `exit ${code}`}); see its output above.`)),
    ),
  );

  const workflowId = offboardWorkflowId(DEMO_ACCOUNT_ID, { type: 'user', name: 'alice' });
  const uiRunUrl = `${server.uiUrl}/namespaces/${server.namespace}/workflows/${encodeURIComponent(workflowId)}`;
  // The API in live mode needs the organisation's identity provider (OFFBOARD_OIDC_ISSUER …); without it, none.
  const api = !options.live || env.OFFBOARD_OIDC_ISSUER ? loadServerConfig(env) : undefined;
  if (api) {
    const apiServer = await spawnServer(env, api);
    say(`Offboarding API: ${api.publicUrl}  (identity provider: ${api.oidc.issuer}, ${api.idp.mode})`);
    apiServer.on('exit', (code) => {
      if (!stopping) void stopAll(code ?? 1);
    });
  }
  if (!options.live && api) {
    say('\nDemo: HR offboards alice (departing; nothing depends on her credentials).');
    const demo = { apiUrl: api.publicUrl, issuer: api.oidc.issuer, dataDir: api.dataDir };
    await Promise.race([startAliceAsHr(demo, say), workerExited]);
    say('\nDemo: the first orphan sweep, a dry run (it reports; nothing is revoked).');
    await Promise.race([firstSweepAsAdmin(demo, say), workerExited]);
  }

  const apiHint = api && api.publicUrl !== 'http://127.0.0.1:8088' ? `OFFBOARD_API_URL=${api.publicUrl} ` : '';
  say('\n──────────────────────────────────────────────────────────────────────────────');
  say(`Temporal UI:            ${server.uiUrl}`);
  if (api) say(`Offboarding API:        ${api.publicUrl}  (OpenAPI: ${api.publicUrl}/v1/openapi.json)`);
  if (!options.live && api) {
    say(`alice's run in the UI:  ${uiRunUrl}`);
    say('');
    for (const line of signInInstructions({ apiUrl: api.publicUrl, issuer: api.oidc.issuer, dataDir: api.dataDir }))
      say(line);
    say(`Web console:            ${api.publicUrl}/console  (sign in as carol: alice waits in her inbox)`);
    say(`alice's run page:       ${api.publicUrl}${runPagePath(workflowId)}`);
    say(
      `Run data in the Temporal UI is encrypted. To read it there, sign in to the web console (olivia is on-call), then in\n` +
        `the UI's Codec Server settings (the glasses icon, top right) enter ${api.publicUrl}/codec and switch on\n` +
        '"Include cross-origin credentials": the UI then decodes through the API with your session.',
    );
    say('\nTry, in another terminal (in this folder):');
    say(
      `  ${apiHint}npx offboard login                               # sign in as carol (an admin): open the URL, enter the code`,
    );
    say(`  ${apiHint}npx offboard status --user alice                 # where the run is and what it waits for`);
    say(`  ${apiHint}npx offboard approve --user alice                # carol approves; the run deletes alice`);
    say(`  ${apiHint}npx offboard list                                # every run, from Temporal visibility`);
    say(`  ${apiHint}npx offboard audit --user alice --format md      # the audit trail, with the signed decisions`);
    say(
      `  ${apiHint}npx offboard sweep --last                        # the first sweep's report: former-contractor's kubeconfig`,
    );
    say(
      `  ${apiHint}npx offboard sweep --revoke                      # revoke and verify every orphaned kubeconfig now`,
    );
    say(`  ${apiHint}npx offboard schedule sweep --every 24h          # sweep daily (its first interval only reports)`);
    say(`  ${apiHint}npx offboard logout && npx offboard login        # then sign in as sam (security) for:`);
    say(`  ${apiHint}npx offboard revoke --user bob                   # a leaked kubeconfig: revoke it now`);
    const temporal = findTemporalCli()?.path ?? 'temporal';
    say(`  ${temporal} workflow list --address ${server.address} --query "OffboardingStage='AwaitingApproval'"`);
  }
  say('\nCtrl-C stops everything this started. For a fresh demo afterwards: npm start -- --reset');
  await workerExited;
}

let stopping = false;
async function stopAll(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const cleanup of cleanups.reverse())
    await cleanup().catch((err: Error) => console.error(`cleanup: ${err.message}`));
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    say(`\n${signal}: stopping the API, the worker, the emulator and the Temporal server this started…`);
    void stopAll(0);
  });
}

main().catch(async (err: unknown) => {
  if (stopping) return; // the worker's exit during our own shutdown is expected
  if (err instanceof ConfigError || err instanceof TemporalSetupError || err instanceof Error)
    console.error(`error: ${err.message}`);
  else console.error(err);
  await stopAll(1);
});

/** A path inside this folder relative to it (`.data/…`), any other in full. */
function shownPath(path: string): string {
  return path.startsWith(process.cwd() + sep) ? relative(process.cwd(), path) : path;
}
