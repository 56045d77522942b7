import {
  batchIdPattern,
  batchIdRule,
  batchRowsRule,
  concurrencyRule,
  MAX_BATCH_CONCURRENCY,
  MAX_BATCH_ROWS,
} from '../common/batch';
import { deleteNotBeforeRule, PRODUCTION_TIMING } from '../common/timing';
import { problemSchema } from './problems';
import { OffboardingStage } from '../common/stages';
import { OffboardReasons, Rules } from '../common/validation';

/**
 * The JSON schemas the routes share. Each field's `description` is its rule, written as the sentence a refusal
 * shows (problems.ts reads it back from a failed validation), and the same rules as common/validation.ts, so the
 * API refuses what the workflow would refuse, before anything reaches Temporal.
 */

export const RAM_NAME_PATTERN = '^[A-Za-z0-9._-]{1,64}$';
export const ACCOUNT_ID_PATTERN = '^[0-9]{16}$';
export const ACTOR_PATTERN = '^[A-Za-z0-9._@+|:=-]{1,255}$';

export const ramName = {
  type: 'string',
  pattern: RAM_NAME_PATTERN,
  description: 'must be 1-64 characters: letters, digits, ".", "-" or "_" (RAM user and role name rules)',
} as const;

export const target = {
  type: 'object',
  description: 'is required: { type: "user" | "role", name }',
  required: ['type', 'name'],
  additionalProperties: false,
  properties: {
    type: { type: 'string', enum: ['user', 'role'], description: Rules.identityType },
    name: ramName,
  },
} as const;

export const text = {
  type: 'string',
  minLength: 1,
  maxLength: 1000,
  pattern: '\\S',
  description: Rules.text,
} as const;

export const reason = { type: 'string', enum: [...OffboardReasons], description: Rules.reason } as const;

export const clusterIds = {
  type: 'array',
  minItems: 1,
  maxItems: 100,
  uniqueItems: true,
  description: Rules.clusterIds,
  items: { type: 'string', pattern: '^c[a-z0-9-]{1,63}$', description: Rules.clusterId },
} as const;

export const duration = {
  description: Rules.duration,
  anyOf: [
    { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?\\s*(ms|s|m|h|d)$', description: Rules.duration },
    { type: 'integer', minimum: 1, description: Rules.duration },
  ],
} as const;

export const isoTime = {
  type: 'string',
  format: 'date-time',
  description: deleteNotBeforeRule(PRODUCTION_TIMING),
} as const;

export const stage = {
  type: 'string',
  enum: Object.values(OffboardingStage),
  description: `must be one of ${Object.values(OffboardingStage).join(', ')}`,
} as const;

export const actor = { type: 'string', pattern: ACTOR_PATTERN, description: Rules.actor } as const;

/** An HR ticket id: the same characters as a subject, so that it can stand in a visibility query. */
export const ticket = {
  ...actor,
  description: 'must be 1-255 letters, digits or ".", "_", "@", "+", "|", ":", "=", "-" (an HR ticket id)',
} as const;

/** The path of a run: its workflow id, `offboard|revoke/<account>/<user|role>/<name>`. */
export const runParams = {
  type: 'object',
  required: ['kind', 'account', 'type', 'name'],
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: ['offboard', 'revoke', 'undo'], description: 'must be offboard, revoke or undo' },
    account: { type: 'string', pattern: ACCOUNT_ID_PATTERN, description: Rules.accountId },
    type: { type: 'string', enum: ['user', 'role'], description: Rules.identityType },
    name: ramName,
  },
} as const;

export interface RunParams {
  kind: 'offboard' | 'revoke' | 'undo';
  account: string;
  type: 'user' | 'role';
  name: string;
}

export const workflowIdOf = (p: RunParams) => `${p.kind}/${p.account}/${p.type}/${p.name}`;

export const startedRun = {
  type: 'object',
  required: ['workflowId', 'runId', 'joined'],
  additionalProperties: false,
  properties: {
    workflowId: { type: 'string' },
    runId: { type: 'string' },
    joined: { type: 'boolean', description: 'a run for this identity was already open: nothing new was started' },
    stage: { type: 'string' },
  },
} as const;

export const messageAccepted = {
  type: 'object',
  required: ['accepted', 'stage', 'message'],
  additionalProperties: false,
  properties: { accepted: { type: 'boolean' }, stage: { type: 'string' }, message: { type: 'string' } },
} as const;

/** A big document (a run's status, a plan) whose shape is the workflow's own: described, passed through whole. */
export const document = (description: string) => ({ type: 'object', description, additionalProperties: true }) as const;

/** The body of a single start (POST /v1/offboardings): each row of a bulk start is checked against it too. */
export const offboardingRequest = {
  type: 'object',
  required: ['target', 'reason'],
  additionalProperties: false,
  properties: {
    target,
    reason,
    ticket,
    comment: text,
    clusterIds,
    deleteNotBefore: isoTime,
    approvalReminderEvery: duration,
    approvalExpiresAfter: duration,
    blockedReminderEvery: duration,
  },
} as const;

export const batchId = { type: 'string', pattern: batchIdPattern, description: batchIdRule } as const;
export const concurrency = {
  type: 'integer',
  minimum: 1,
  maximum: MAX_BATCH_CONCURRENCY,
  description: concurrencyRule,
} as const;

/**
 * A bulk start as JSON. The rows are checked one by one against `offboardingRequest` (a bad row is refused with its
 * line, the others start), so here a row only has to be an object; `line` is the caller's own numbering (a file's
 * line), echoed in the results; without it a row's line is its position in `rows`, from 1.
 */
export const batchStartJson = {
  type: 'object',
  required: ['rows'],
  additionalProperties: false,
  properties: {
    rows: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_BATCH_ROWS,
      description: batchRowsRule,
      items: {
        type: 'object',
        description: 'must be an object: the body of POST /v1/offboardings, and an optional line',
        properties: { line: { type: 'integer', minimum: 1, description: 'must be a line number from 1' } },
      },
    },
    batchId,
    concurrency,
  },
} as const;

/** The query of a bulk start: what a CSV body cannot carry (a JSON body may say the same in its own fields). */
export const batchStartQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { batchId, concurrency },
} as const;

const counts = (names: readonly string[]) =>
  ({
    type: 'object',
    required: names,
    additionalProperties: false,
    properties: Object.fromEntries(names.map((n) => [n, { type: 'integer' }])),
  }) as const;

export const batchStarted = {
  type: 'object',
  required: ['batchId', 'summary', 'results'],
  additionalProperties: false,
  properties: {
    batchId: { type: 'string', description: 'recorded on every run this batch started (OffboardingBatch)' },
    summary: counts(['started', 'joined', 'refused']),
    results: {
      type: 'array',
      items: {
        type: 'object',
        required: ['line', 'target', 'status'],
        additionalProperties: false,
        properties: {
          line: { type: 'integer', description: "the CSV line, or the row's line (its position in rows, from 1)" },
          target: { type: 'string', description: 'user/<name> or role/<name>, or the target as written' },
          status: { type: 'string', enum: ['started', 'joined', 'refused'] },
          workflowId: { type: 'string' },
          runId: { type: 'string' },
          reason: { type: 'string', description: 'refused: each field and its rule, or the refusal' },
          problem: { type: 'string', description: 'refused: the problem type (bad-input, refused, …)' },
          errors: problemSchema.properties.errors,
        },
      },
    },
  },
} as const;

export const batchApproved = {
  type: 'object',
  required: ['batchId', 'summary', 'runs'],
  additionalProperties: false,
  properties: {
    batchId: { type: 'string' },
    summary: counts(['approved', 'refused', 'notWaiting']),
    truncated: { type: 'boolean', description: 'more runs matched than one bulk approval goes through' },
    runs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['workflowId', 'status'],
        additionalProperties: false,
        properties: {
          workflowId: { type: 'string' },
          target: { type: 'string' },
          stage: { type: 'string' },
          status: { type: 'string', enum: ['approved', 'refused', 'notWaiting'] },
          refusal: { type: 'string', description: "the run's refusal type (FourEyes, OwnOffboarding, …)" },
          reason: { type: 'string' },
        },
      },
    },
  },
} as const;

/** A sweep's mode; on demand only dry-run or revoke (a schedule may also start with dry-run-first). */
export const sweepMode = (modes: readonly string[]) =>
  ({ type: 'string', enum: [...modes], description: `must be one of ${modes.join(', ')}` }) as const;

/** Days without login after which a live user's kubeconfig is reported as stale access. */
export const staleAfterDays = {
  type: 'integer',
  minimum: 1,
  maximum: 3650,
  description: 'must be a whole number of days from 1 to 3650',
} as const;

/** A sweep schedule's interval: at least an hour. */
const everyRule =
  'must be a duration from 1 hour to at most 30 days: milliseconds, or a string like "90m", "24h", "7d"';
export const scheduleEvery = {
  description: everyRule,
  anyOf: [
    { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?\\s*(ms|s|m|h|d)$', description: everyRule },
    { type: 'integer', minimum: 3_600_000, maximum: 2_592_000_000, description: everyRule },
  ],
} as const;
