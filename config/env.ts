import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { parseDurationMs } from '../common/validation';

/**
 * Reading configuration from the environment: every variable goes through a zod schema, and a failure becomes one
 * line "VAR: rule (got "value")". All problems are collected, then thrown together as a ConfigError.
 */

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

const repoRoot = resolve(__dirname, '..');

/** Where local state lives (dev server database, demo keys, emulator state): OFFBOARD_DATA_DIR, default `.data/`. */
export function dataDirOf(env: Env): string {
  return env.OFFBOARD_DATA_DIR ? resolve(env.OFFBOARD_DATA_DIR) : join(repoRoot, '.data');
}

/** Reads one variable through a zod schema; a failure becomes "VAR: rule (got "value")". */
export function read<T>(
  env: Env,
  name: string,
  schema: z.ZodType<T>,
  problems: string[],
  showValue = true,
): T | undefined {
  const raw = env[name] === '' ? undefined : env[name];
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const rule = parsed.error.issues[0]?.message ?? 'invalid';
  problems.push(`${name}: ${rule}${showValue && raw !== undefined ? ` (got "${raw}")` : ''}`);
  return undefined;
}

export const hostPort = (what: string) =>
  z
    .string({ error: `must be host:port of the ${what}` })
    .regex(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, `must be host:port of the ${what}, e.g. 127.0.0.1:7233`);
export const nonEmpty = (rule: string) => z.string({ error: rule }).min(1, rule);
export const existingFile = (what: string) =>
  z.string().refine((p) => existsSync(p), `must be the path of an existing ${what} file`);
export const duration = (dflt: string) =>
  z
    .string()
    .default(dflt)
    .refine((v) => parseDurationMs(v) !== undefined, 'must be a duration like "500ms", "30s", "10m", "24h" or "7d"')
    .transform((v) => parseDurationMs(v) as number);

export const httpUrl = (what: string) =>
  z.url({ protocol: /^https?$/, error: `must be an http(s) URL: ${what}` }).refine((u) => !u.includes('#'), {
    error: `must be an http(s) URL without a fragment: ${what}`,
  });
