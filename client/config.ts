import { type AlibabaSettings, loadAlibabaSettings } from '../config/alibaba';
import { ConfigError } from '../config/env';
import { badInput } from './errors';

/**
 * What the CLI reads of the worker's configuration: only `revoke-own` talks to Alibaba Cloud itself (with the
 * caller's own credentials), and it finds the endpoints, protocol and region where the worker does (config/ is the
 * one place that knows the variables). Every other command needs only OFFBOARD_API_URL.
 */
export function alibabaSettings(env: NodeJS.ProcessEnv): AlibabaSettings {
  try {
    return loadAlibabaSettings(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      throw badInput(err.message, 'revoke-own reads the same OFFBOARD_* variables as the worker (see README).');
    }
    throw err;
  }
}
