/**
 * The workflow bundle the tests (and the production image) build: the modules named for sharing between runs really
 * are loaded once per worker thread. Webpack silently drops a bare `require` of a module it takes to have no side
 * effects, which would leave every run paying again for the token verifier's tables (config/workflow-bundle.ts).
 * And the bundle a worker makes at start (`npm start`, `npm run worker` without OFFBOARD_WORKFLOW_BUNDLE): what its
 * log says of it, and that it runs the workflows.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, type LogEntry, Worker } from '@temporalio/worker';
import { bundleWorkflows, WORKFLOW_PRELOAD_MODULES } from '../../config/workflow-bundle';
import { repoRoot } from '../../scripts/local-temporal';
import { testDataConverter } from '../support/temporal';

test('the bundle preloads each shared module, so runs share it instead of instantiating it again', () => {
  const codePath = process.env.OFFBOARD_TEST_WORKFLOW_BUNDLE;
  if (!codePath) throw new Error('no workflow bundle from the jest global setup');
  const code = readFileSync(codePath, 'utf8');
  const preload = /exports\.preloadModules = function preloadModules\(\) \{([^}]*)\}/.exec(code);
  if (!preload) throw new Error('the bundle has no preloadModules function (has the SDK changed its entrypoint?)');
  expect(WORKFLOW_PRELOAD_MODULES.length).toBeGreaterThan(0);
  for (const path of WORKFLOW_PRELOAD_MODULES) {
    expect(preload[1]).toContain(`__webpack_require__(/* webpackMode: "eager" */ /*! ./${relative(repoRoot, path)} */`);
  }
});

/** What bundleWorkflows logs, every level kept. */
function capturedLog(): { logger: DefaultLogger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return { logger: new DefaultLogger('TRACE', (entry) => entries.push(entry)), entries };
}

const fixture = (name: string) => join(__dirname, 'bundle-fixtures', `${name}.ts`);

test("a worker bundling at start logs one short line, the bundle's size and time, and its bundle runs the workflows", async () => {
  const { logger, entries } = capturedLog();
  const { code } = await bundleWorkflows(logger);
  expect(entries.map((e) => [e.level, e.message])).toEqual([
    ['INFO', expect.stringMatching(/^workflow bundle built in \d+\.\d s \(\d+\.\d MiB\)$/)],
  ]);
  expect(entries[0].meta).toEqual({ bytes: Buffer.byteLength(code), ms: expect.any(Number) });
  // The same workflows as the prebuilt bundle: a stored run replays on it.
  const json = JSON.parse(readFileSync(join(repoRoot, 'test', 'histories', 'happy-path.json'), 'utf8'));
  const history = temporal.api.history.v1.History.fromObject(json);
  const workflowId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId ?? '';
  await Worker.runReplayHistory({ workflowBundle: { code }, dataConverter: testDataConverter() }, history, workflowId);
});

test("webpack's warnings are logged at warn, each with its message, besides the one line", async () => {
  const { logger, entries } = capturedLog();
  await bundleWorkflows(logger, fixture('warns'));
  const warnings = entries.filter((e) => e.level === 'WARN');
  expect(warnings).toHaveLength(1);
  expect(warnings[0].message).toMatch(/^webpack warning while bundling the workflows: .*Critical dependency/s);
  expect(entries.filter((e) => e.level === 'INFO')).toHaveLength(1);
});

test("a failed build rejects, and webpack's report of the error is logged at error", async () => {
  const { logger, entries } = capturedLog();
  await expect(bundleWorkflows(logger, fixture('fails'))).rejects.toThrow(/Webpack finished with errors/);
  const errors = entries.filter((e) => e.level === 'ERROR');
  expect(errors).toHaveLength(1);
  expect(errors[0].message).toContain("Can't resolve './no-such-module'");
  expect(entries.filter((e) => e.level === 'INFO')).toEqual([]);
});
