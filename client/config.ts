import {
  ConfigError,
  loadTemporalConfig,
  loadWorkerConfig,
  type TemporalConfig,
  type WorkerConfig,
} from '../worker/config';
import { badInput, type CliError } from './errors';

/**
 * The CLI reads the same environment as the worker (worker/config.ts is the one place that knows the variables):
 * the Temporal connection for every command, and the Alibaba part (account, the worker's identity, endpoints) for
 * the commands that need it.
 */

export function configError(err: ConfigError): CliError {
  return badInput(
    err.message,
    'The CLI reads the same environment variables as the worker (see README, Configuration).',
  );
}

export function temporalSettings(env: NodeJS.ProcessEnv): TemporalConfig {
  try {
    return loadTemporalConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) throw configError(err);
    throw err;
  }
}

export function workerSettings(env: NodeJS.ProcessEnv): WorkerConfig {
  try {
    return loadWorkerConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) throw configError(err);
    throw err;
  }
}

/** The account whose runs the CLI addresses by --user/--role (OFFBOARD_ACCOUNT_ID; the demo account by default). */
export function accountSettings(env: NodeJS.ProcessEnv): { accountId: string; workerIdentity: string } {
  const { alibaba } = workerSettings(env);
  return { accountId: alibaba.accountId, workerIdentity: alibaba.workerIdentity };
}
