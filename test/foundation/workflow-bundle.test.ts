/**
 * The workflow bundle the tests (and the production image) build: the modules named for sharing between runs really
 * are loaded once per worker thread. Webpack silently drops a bare `require` of a module it takes to have no side
 * effects, which would leave every run paying again for the token verifier's tables (config/workflow-bundle.ts).
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { WORKFLOW_PRELOAD_MODULES } from '../../config/workflow-bundle';
import { repoRoot } from '../../scripts/local-temporal';

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
