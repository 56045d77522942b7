import { z } from 'zod';
import { type Env, read } from './env';

/**
 * Worker Versioning: the worker's deployment name and build id. Offboarding runs wait days for an approval, so every
 * deploy meets runs in flight; with a deployment version, each run stays on the build it started on (PINNED) unless
 * its workflow says it may move (workflows/index.ts), and a new build takes new runs once it is made current
 * (README: Deploying a new worker build). Unset: the worker is unversioned, and every change needs `patched()`.
 */
export interface WorkerDeployment {
  deploymentName: string;
  buildId: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const RULE = 'must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit';

export function readWorkerDeployment(env: Env, problems: string[]): WorkerDeployment | undefined {
  const deploymentName = read(env, 'OFFBOARD_DEPLOYMENT_NAME', z.string().regex(NAME, RULE).optional(), problems);
  const buildId = read(env, 'OFFBOARD_BUILD_ID', z.string().regex(NAME, RULE).optional(), problems);
  if ((deploymentName === undefined) !== (buildId === undefined)) {
    problems.push('OFFBOARD_DEPLOYMENT_NAME and OFFBOARD_BUILD_ID: set both (a versioned worker) or neither');
    return undefined;
  }
  return deploymentName && buildId ? { deploymentName, buildId } : undefined;
}
