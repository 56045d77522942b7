import { type AlibabaEndpoints, loadAlibabaEndpoints } from '../config/alibaba';
import { ConfigError } from '../config/env';
import { badInput } from './errors';

/**
 * What the CLI reads of the shared configuration: only `revoke-own` talks to Alibaba Cloud itself (with the caller's
 * own credentials), and it finds the mode, endpoints and region where the worker does (config/ is the one place that
 * knows the variables); not the worker's account or identity. Every other command needs only OFFBOARD_API_URL.
 */
export function alibabaEndpoints(env: NodeJS.ProcessEnv): AlibabaEndpoints {
  try {
    return loadAlibabaEndpoints(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      throw badInput(
        err.message,
        'revoke-own reads OFFBOARD_ALIBABA_MODE, OFFBOARD_REGION and the endpoint variables (see README).',
      );
    }
    throw err;
  }
}
