import { type AlibabaSettings, loadAlibabaSettings } from '../config/alibaba';
import { ConfigError } from '../config/env';
import { loadTemporalConfig, type TemporalConfig } from '../config/temporal';
import { loadWorkerConfig, type WorkerConfig } from '../config/worker';
import { badInput, type CliError } from './errors';

/**
 * The CLI reads the same environment as the worker (config/ is the one place that knows the variables):
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
  return withCliError(() => loadTemporalConfig(env));
}

function withCliError<T>(load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof ConfigError) throw configError(err);
    throw err;
  }
}

/** Everything the worker reads: `plan` runs the worker's own read-only activities in this process. */
export function workerSettings(env: NodeJS.ProcessEnv): WorkerConfig {
  return withCliError(() => loadWorkerConfig(env));
}

/** Account, the worker's identity, endpoints and credentials source: what `revoke-own` and the run lookups need. */
export function alibabaSettings(env: NodeJS.ProcessEnv): AlibabaSettings {
  return withCliError(() => loadAlibabaSettings(env));
}

/** The account whose runs the CLI addresses by --user/--role (OFFBOARD_ACCOUNT_ID; the demo account by default). */
export function accountSettings(env: NodeJS.ProcessEnv): { accountId: string; workerIdentity: string } {
  const { accountId, workerIdentity } = alibabaSettings(env);
  return { accountId, workerIdentity };
}
