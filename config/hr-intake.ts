import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { duration, type Env, read } from './env';

/**
 * The HR intake's configuration: which HR systems may start offboardings by webhook (`POST /v1/hr-events`), the
 * secrets each signs with (Standard Webhooks, `whsec_…`; a list, so a secret rotates by adding the new one first and
 * removing the old one once the sender has switched), where each system's events name the person by email, and how
 * an email maps to a RAM user name. Secrets are read here and never printed.
 *
 * `OFFBOARD_HR_INTEGRATIONS` names a JSON file (keep it 0600):
 * ```json
 * { "integrations": [ { "name": "bamboohr", "secrets": ["whsec_…"], "emailField": "workEmail",
 *                       "emailDomains": ["example.com"] } ] }
 * ```
 */

export interface HrIntegration {
  /** Names the integration: its signing subject is `integration:<name>`. */
  name: string;
  /** Standard Webhooks secrets (`whsec_` + base64), newest first; any one verifies. */
  secrets: string[];
  /** The field of the event's `data` that holds the person's email, when the event does not name the RAM user. */
  emailField: string;
  /** The email domains whose addresses map to RAM user names (the local part is the RAM user name). */
  emailDomains: string[];
}

export interface HrIntakeConfig {
  integrations: HrIntegration[];
  /** Added to the end of the last day to make `deleteNotBefore`. */
  graceMs: number;
  /** How far a webhook's timestamp may be from the server's clock; older (or newer) is refused as stale. */
  toleranceMs: number;
  /** Where the answered webhook ids are kept (one JSON line each), so a replay is refused after a restart too. */
  seenIdsPath: string;
}

const SECRET = /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/;

const integrationsFile = z.object(
  {
    integrations: z
      .array(
        z
          .object({
            name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'name: must be 1-40 lowercase letters, digits or "-"'),
            secrets: z
              .array(z.string().regex(SECRET, 'secrets: each must be "whsec_" and at least 24 bytes in base64'))
              .min(1, 'secrets: at least one secret is required'),
            emailField: z
              .string()
              .regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, 'emailField: must be a field path such as "workEmail"')
              .default('email'),
            emailDomains: z
              .array(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'emailDomains: each must be a domain name'))
              .default([]),
          })
          .strict(),
      )
      .min(1, 'integrations: list at least one integration')
      .refine((list) => new Set(list.map((i) => i.name)).size === list.length, 'integrations: names must differ'),
  },
  { error: 'must be a JSON object { "integrations": [ … ] }' },
);

/** The integrations file's content, or a problem naming the file and the rule. */
function readIntegrations(path: string, problems: string[]): HrIntegration[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    problems.push(`OFFBOARD_HR_INTEGRATIONS: cannot read ${path} as JSON: ${(err as Error).message}`);
    return undefined;
  }
  const parsed = integrationsFile.safeParse(json);
  if (!parsed.success) {
    // The rule only: never the value, which may be a secret.
    problems.push(`OFFBOARD_HR_INTEGRATIONS (${path}): ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return undefined;
  }
  return parsed.data.integrations;
}

export function readHrIntake(env: Env, dataDir: string, problems: string[]): HrIntakeConfig | undefined {
  const path = read(env, 'OFFBOARD_HR_INTEGRATIONS', z.string().optional(), problems);
  const graceMs = read(env, 'OFFBOARD_HR_GRACE', duration('7d'), problems);
  const toleranceMs = read(env, 'OFFBOARD_HR_TOLERANCE', duration('5m'), problems);
  // The standardwebhooks library refuses messages more than 5 minutes off by itself: a wider window cannot hold.
  if (toleranceMs !== undefined && toleranceMs > 5 * 60_000) {
    problems.push('OFFBOARD_HR_TOLERANCE: must be at most 5m (the Standard Webhooks library refuses older messages)');
  }
  const integrations = path === undefined ? [] : readIntegrations(path, problems);
  if (integrations === undefined || graceMs === undefined || toleranceMs === undefined) return undefined;
  return { integrations, graceMs, toleranceMs, seenIdsPath: `${dataDir}/hr-events/seen-webhook-ids.jsonl` };
}
