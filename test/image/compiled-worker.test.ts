/**
 * The production image, checked without a Docker engine (`npm run image:check`, run by .ci/run, not by `npm test`:
 * it installs the dependencies twice and compiles). The Dockerfile's instructions are carried out in a scratch
 * directory, then its CMD — the compiled worker on the prebuilt workflow bundle, production dependencies only — runs
 * against the test Temporal server and the emulator until an offboarding run completes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decide, people } from '../support/trust';
import { OffboardingStage } from '../../common/stages';
import { repoRoot } from '../../scripts/local-temporal';
import { offboardInput, startOffboard, waitForStage } from '../workflows/harness';
import { waitForOutput } from '../support/process-output';
import { useHarness } from '../workflows/use-harness';
import { buildImage, hostEnv, hostPath, type BuiltImage } from './build-image';

const scratch = mkdtempSync(join(tmpdir(), 'offboard-image-'));
let image: BuiltImage;
let worker: ChildProcess | undefined;

// Declared first, so that the worker is gone before the harness stops.
afterAll(() => {
  if (worker?.exitCode === null) worker.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});
const h = useHarness('image', { inProcessWorker: false });
beforeAll(() => {
  image = buildImage({ dockerfile: join(repoRoot, 'Dockerfile'), context: repoRoot, scratch });
}, 20 * 60_000);

const app = () => hostPath(image.root, image.workdir);

test('the runtime stage holds the compiled worker, its prebuilt workflow bundle and production dependencies only', () => {
  expect(image.cmd?.[0]).toBe('node');
  expect(image.cmd?.at(-1)).toMatch(/\.js$/);
  expect(existsSync(join(app(), image.cmd!.at(-1)!))).toBe(true);
  expect(image.env.OFFBOARD_WORKFLOW_BUNDLE).toBeDefined();
  expect(existsSync(hostPath(image.root, image.env.OFFBOARD_WORKFLOW_BUNDLE))).toBe(true);
  expect(['root', '0', undefined]).not.toContain(image.user);
  // Production dependencies only: nothing that the lockfile marks as needed for development alone.
  const lock = JSON.parse(readFileSync(join(app(), 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const devOnly = Object.keys(lock.packages).filter((path) => lock.packages[path].dev);
  expect(devOnly).toEqual(expect.arrayContaining(['node_modules/tsx', 'node_modules/@temporalio/testing']));
  expect(devOnly.filter((path) => existsSync(join(app(), path)))).toEqual([]);
});

/** Starts the image's CMD as the container would, with the deployment's environment; resolves once it polls. */
async function startContainer(env: Record<string, string>): Promise<ChildProcess> {
  const [command, ...args] = image.cmd!;
  const child = spawn(command, args, { cwd: app(), env: { ...hostEnv(image), ...env }, stdio: 'pipe' });
  await waitForOutput(child, /polling task queue/, 60_000);
  return child;
}

test('its CMD, the compiled worker, completes an offboarding run and stops gracefully on SIGTERM', async () => {
  // Credentials as a deployment passes them: the worker identity's key, in the environment.
  const key = h.config.alibaba.fixtureKey!;
  worker = await startContainer({
    ...h.env,
    ALIBABA_CLOUD_ACCESS_KEY_ID: key.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: key.accessKeySecret,
  });

  const { handle } = await startOffboard(h, offboardInput(h, 'alice'));
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 60_000, 'approval');
  await decide(h, handle, 'approveDeletion', {}, people.carol);
  expect((await handle.result()).stage).toBe(OffboardingStage.Completed);

  const exitCode = await new Promise<number | null>((resolve) => {
    worker!.once('exit', (code) => resolve(code));
    worker!.kill('SIGTERM');
  });
  expect(exitCode).toBe(0);
}, 120_000);
