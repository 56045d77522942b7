import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import { ApiError } from '../api-error';
import type { TaskFailureState } from '../state/world';
import { foreignReply } from './foreign-reply';
import type { Reply } from './render';
import { mulberry32 } from '../prng';

/**
 * Fault injection: rules matched per call, in order; the first rule that fires decides the call's fault. Random draws
 * come from a seeded PRNG, so the same seed and the same sequence of calls give the same faults.
 */

const FAULT_KINDS = [
  'throttle',
  'server-error',
  'latency',
  'drop',
  'foreign-error',
  'task-fail',
  'task-timeout',
  'task-canceled',
] as const;

/** The kinds that decide how the clean task a CleanUserPermissions call creates ends, and the state it ends in. */
export const TASK_ENDING_FAULTS: Partial<Record<(typeof FAULT_KINDS)[number], TaskFailureState>> = {
  'task-fail': 'fail',
  'task-timeout': 'timeout',
  'task-canceled': 'canceled',
};
const faultRuleSchema = z.strictObject({
  /** An action name (e.g. `DeleteUser`), or `*` / absent for every call. */
  action: z.string().min(1).optional(),
  kind: z.enum(FAULT_KINDS),
  /** Chance that a matching call is hit; default 1. */
  probability: z.number().min(0).max(1).optional(),
  /** Hit at most this many calls, then the rule is spent. Default: unlimited. */
  count: z.number().int().positive().optional(),
  /** `latency`: delay before answering; default 1000. */
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  /** `server-error` (default 503), `throttle` (default 400) and `foreign-error` (default 404): the HTTP status. */
  statusCode: z.number().int().min(400).max(599).optional(),
  /** `foreign-error`: the body of the answer — an nginx-style HTML page (default), plain text, or non-Alibaba JSON. */
  body: z.enum(['html', 'text', 'json']).optional(),
  /** `throttle`: value of x-acs-retry-after (milliseconds, as the SDK reads it); default 100. */
  retryAfterMs: z.number().int().min(0).max(600_000).optional(),
  /** `drop`: whether the call takes effect before the connection is cut (the worst case for idempotency). */
  processed: z.boolean().optional(),
});

export const faultConfigSchema = z.strictObject({
  seed: z.number().int().optional(),
  rules: z.array(faultRuleSchema),
});

export type FaultRule = z.output<typeof faultRuleSchema>;
type FaultConfig = z.output<typeof faultConfigSchema>;

interface ActiveRule extends FaultRule {
  remaining: number;
  hits: number;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];
  private random: () => number = mulberry32(1);
  private seed = 1;

  /** Replaces the rules. Returns the seed used (a random one if none was given, so a run can be reproduced). */
  configure(config: FaultConfig, knownActions: ReadonlySet<string>): { seed: number } {
    for (const r of config.rules) {
      if (TASK_ENDING_FAULTS[r.kind] && r.action !== 'CleanUserPermissions') {
        throw new Error(`${r.kind} applies to action CleanUserPermissions only`);
      }
    }
    for (const r of config.rules) {
      if (r.action !== undefined && r.action !== '*' && !knownActions.has(r.action)) {
        throw new Error(`unknown action ${r.action}`);
      }
    }
    this.seed = config.seed ?? Math.floor(Math.random() * 2 ** 31);
    this.random = mulberry32(this.seed);
    this.rules = config.rules.map((r) => ({ ...r, remaining: r.count ?? Infinity, hits: 0 }));
    return { seed: this.seed };
  }

  clear(): void {
    this.rules = [];
  }

  /** The rule that fires for this call, if any. Cheap when no rules are set (the usual case). */
  pick(action: string): FaultRule | undefined {
    if (this.rules.length === 0) return undefined;
    for (const rule of this.rules) {
      if (rule.remaining <= 0) continue;
      if (rule.action !== undefined && rule.action !== '*' && rule.action !== action) continue;
      if (rule.probability !== undefined && rule.probability < 1 && this.random() >= rule.probability) continue;
      rule.remaining--;
      rule.hits++;
      return rule;
    }
    return undefined;
  }

  describe(): { seed: number; rules: (FaultRule & { hits: number; remaining: number | null })[] } {
    return {
      seed: this.seed,
      rules: this.rules.map(({ remaining, ...r }) => ({
        ...r,
        remaining: Number.isFinite(remaining) ? remaining : null,
      })),
    };
  }
}

/**
 * Applies the part of a fault that comes before the operation runs: throws the error of `throttle` and `server-error`,
 * waits out `latency`, answers in place of the service for `foreign-error`, and cuts the connection for a `drop`
 * that is not `processed`. A processed drop is cut after the operation, in place of the answer.
 */
export async function applyFaultBefore(fault: FaultRule, res: ServerResponse): Promise<'dropped' | 'continue' | Reply> {
  switch (fault.kind) {
    case 'throttle':
      throw new ApiError(
        E.throttling,
        fault.statusCode ?? 400,
        'Request was denied due to user flow control.',
        undefined,
        {
          'x-acs-retry-after': String(fault.retryAfterMs ?? 100),
        },
      );
    case 'server-error': {
      const status = fault.statusCode ?? 503;
      throw status === 503
        ? new ApiError(E.serviceUnavailable, 503, 'The request has failed due to a temporary failure of the server.')
        : new ApiError(E.internalError, status, 'The request processing has failed due to some unknown error.');
    }
    case 'latency':
      await sleep(fault.latencyMs ?? 1000);
      return 'continue';
    case 'drop':
      if (fault.processed) return 'continue';
      res.socket?.destroy();
      return 'dropped';
    case 'foreign-error':
      return foreignReply(fault);
    case 'task-fail':
    case 'task-timeout':
    case 'task-canceled':
      return 'continue';
  }
}
