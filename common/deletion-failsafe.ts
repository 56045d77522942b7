import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { MessageRefusal } from './errors';
import { mayDo } from './roles';
import { checkTokenTime, type DecisionClaims, type TrustedKey, verifySignedToken } from './signed-token';
import { describeDuration } from './timing';
import { isNonEmptyText, parseDurationMs } from './validation';

/**
 * The blast-radius failsafe: more than `limit` deletions on one account within `windowMs` pause further deletions
 * until a second admin confirms. One governor workflow per account (workflows/deletion-failsafe.ts) owns the count, so
 * that runs reaching Deletion at the same moment are counted one after another (a visibility query would let 30 runs
 * all see 19). This module is its pure logic: the setting, the reservations, the confirmation's rules.
 */

/** `OFFBOARD_DELETION_FAILSAFE`: at most `limit` deletions per `windowMs` on the account, or off. */
export type FailsafeSetting = { limit: number; windowMs: number; text: string } | 'off';

export const DEFAULT_DELETION_FAILSAFE = '20/1h';
const MAX_LIMIT = 10_000;
const MIN_WINDOW_MS = 60_000;
const MAX_WINDOW_MS = 7 * 86_400_000;
export const FAILSAFE_RULE = `must be "off" or "<N>/<window>": N deletions (1 to ${MAX_LIMIT}) per window (1m to 7d, like "1h", "30m", "1d"); default ${DEFAULT_DELETION_FAILSAFE}`;

/** Reads the setting; undefined when it breaks FAILSAFE_RULE. */
export function parseFailsafeSetting(given: string | undefined): FailsafeSetting | undefined {
  const text = (given ?? '').trim() || DEFAULT_DELETION_FAILSAFE;
  if (text === 'off') return 'off';
  const m = /^([1-9][0-9]{0,4})\/([0-9]+[smhd])$/.exec(text);
  if (!m) return undefined;
  const limit = Number(m[1]);
  const windowMs = parseDurationMs(m[2]);
  if (limit > MAX_LIMIT || windowMs === undefined || windowMs < MIN_WINDOW_MS || windowMs > MAX_WINDOW_MS) {
    return undefined;
  }
  return { limit, windowMs, text };
}

/** The governor of an account's deletions. */
export function deletionFailsafeWorkflowId(accountId: string): string {
  return `deletion-failsafe/${accountId}`;
}

/** A run asks to delete; the same run (workflow id and first run id) always gets the same answer while it stands. */
export interface ReserveDeletion {
  workflowId: string;
  /** The run's first execution run id: a later run under the same workflow id is another deletion. */
  runId: string;
  /** `user/alice`, for the status. */
  targetRef: string;
  /** The worker's setting, passed by the activity: the governor counts against the latest one it was given. */
  limit: number;
  windowMs: number;
}

export type ReserveAnswer =
  /** `off`: the worker's failsafe is off (OFFBOARD_DELETION_FAILSAFE=off); nothing was counted. */
  | { granted: true; count: number; limit: number; windowMs: number; off?: true }
  | {
      granted: false;
      /** Deletions granted in the window when the limit was reached. */
      count: number;
      limit: number;
      windowMs: number;
      /** Why: the window is full, or the governor is paused since an earlier run was held. */
      why: 'window-full' | 'paused';
      pausedSince: string;
    };

export interface HeldRun {
  workflowId: string;
  runId: string;
  targetRef: string;
  since: string;
}

export interface FailsafeConfirmation {
  by: string;
  byName: string;
  at: string;
  reason: string;
  released: number;
}

/** The governor's whole state: carried across continue-as-new. */
export interface GovernorState {
  accountId: string;
  limit: number;
  windowMs: number;
  /** Deletions granted in the current window (pruned as they age out; a confirmation starts a new window). */
  grants: Array<{ key: string; at: number }>;
  held: HeldRun[];
  /** Set when a run was held: every new reservation is held until a confirmation. */
  pausedSince?: string;
  lastConfirmation?: FailsafeConfirmation;
  /** Confirmation token ids already used, with their expiry (seconds). */
  usedTokens: Array<{ jti: string; exp: number }>;
}

/** What `offboard failsafe status` shows. */
export interface FailsafeStatus {
  accountId: string;
  limit: number;
  window: string;
  /** Deletions granted in the current window. */
  count: number;
  paused: boolean;
  pausedSince?: string;
  held: HeldRun[];
  lastConfirmation?: FailsafeConfirmation;
}

export const reserveDeletionUpdate = defineUpdate<ReserveAnswer, [ReserveDeletion]>('reserveDeletion');
/** The governor's own confirmation: `{ token }`, a `confirmDeletions` decision signed for the governor. */
export const confirmFailsafeUpdate = defineUpdate<FailsafeConfirmation, [{ token: string }]>('confirmDeletions');
export const failsafeStatusQuery = defineQuery<FailsafeStatus>('failsafeStatus');

/** "3 deletions on account 1234 in the last 1 hour reached the limit of 2". */
export function describeHold(accountId: string, a: Extract<ReserveAnswer, { granted: false }>): string {
  return a.why === 'window-full'
    ? `${a.count} deletions on account ${accountId} in the last ${describeDuration(a.windowMs)} reached the limit of ${a.limit}`
    : `deletions on account ${accountId} are paused since ${a.pausedSince} (the limit of ${a.limit} per ${describeDuration(a.windowMs)} was reached)`;
}

/** Held runs listed by the governor (its state stays bounded); beyond, they are still held and found by visibility. */
export const MAX_GOVERNOR_HELD = 10_000;

/**
 * The reservations and the pause. Time is the caller's (workflow time in the governor), so the same history gives
 * the same answers on replay.
 */
export class DeletionGovernor {
  readonly state: GovernorState;

  constructor(accountId: string, carried?: GovernorState) {
    // The limit and window are the worker's, given with each reservation (the first one starts the governor).
    this.state = carried ?? {
      accountId,
      limit: 20,
      windowMs: 3_600_000,
      grants: [],
      held: [],
      usedTokens: [],
    };
  }

  /** The deletions granted in the last window; older ones are forgotten. */
  private inWindow(nowMs: number): GovernorState['grants'] {
    this.state.grants = this.state.grants.filter((g) => g.at > nowMs - this.state.windowMs);
    return this.state.grants;
  }

  reserve(r: ReserveDeletion, nowMs: number): ReserveAnswer {
    const s = this.state;
    s.limit = r.limit;
    s.windowMs = r.windowMs;
    const key = `${r.workflowId}#${r.runId}`;
    const granted = this.inWindow(nowMs);
    const facts = { count: granted.length, limit: s.limit, windowMs: s.windowMs };
    if (granted.some((g) => g.key === key)) return { granted: true, ...facts };
    const held = s.held.some((h) => h.workflowId === r.workflowId && h.runId === r.runId);
    if (!held && !s.pausedSince && granted.length < s.limit) {
      granted.push({ key, at: nowMs });
      return { granted: true, ...facts, count: granted.length };
    }
    const why = granted.length >= s.limit ? 'window-full' : 'paused';
    const since = new Date(nowMs).toISOString();
    s.pausedSince ??= since;
    if (!held && s.held.length < MAX_GOVERNOR_HELD) {
      s.held.push({ workflowId: r.workflowId, runId: r.runId, targetRef: r.targetRef, since });
    }
    return { granted: false, ...facts, why, pausedSince: s.pausedSince };
  }

  /**
   * A second admin confirmed: the held runs are released (each also verifies its own confirmation), the pause ends
   * and a new window begins, so the next `limit` deletions go and the one after pauses again.
   */
  confirm(claims: DecisionClaims, reason: string, nowMs: number): FailsafeConfirmation {
    const s = this.state;
    const confirmation = {
      by: claims.sub,
      byName: claims.name,
      at: new Date(nowMs).toISOString(),
      reason,
      released: s.held.length,
    };
    s.held = [];
    s.pausedSince = undefined;
    s.grants = [];
    s.lastConfirmation = confirmation;
    const now = Math.floor(nowMs / 1000);
    s.usedTokens = [...s.usedTokens.filter((t) => t.exp >= now), { jti: claims.jti, exp: claims.exp }];
    return confirmation;
  }

  status(nowMs: number): FailsafeStatus {
    const s = this.state;
    return {
      accountId: s.accountId,
      limit: s.limit,
      window: describeDuration(s.windowMs),
      count: this.inWindow(nowMs).length,
      paused: s.pausedSince !== undefined,
      pausedSince: s.pausedSince,
      held: s.held,
      lastConfirmation: s.lastConfirmation,
    };
  }

  /** The governor's confirmation rules: a valid token signed for this governor, for confirmDeletions, by an admin. */
  checkConfirmation(
    arg: unknown,
    ctx: { workflowId: string; runId: string; keys: readonly TrustedKey[]; issuer: string; nowMs: number },
  ): { ok: true; claims: DecisionClaims; reason: string } | { ok: false; type: string; message: string } {
    const token = (arg as { token?: unknown } | undefined)?.token;
    const verified = verifySignedToken(token, ctx.keys, ctx.issuer);
    if (!verified.ok)
      return { ok: false, type: verified.refusal, message: `confirmDeletions refused: ${verified.message}` };
    const claims = verified.claims;
    if (claims.kind !== 'decision' || claims.decision !== 'confirmDeletions') {
      return {
        ok: false,
        type: 'WrongRun',
        message: 'confirmDeletions refused: the token is not a confirmDeletions decision',
      };
    }
    const timely = checkTokenTime(claims, ctx.nowMs);
    if (!timely.ok) return { ok: false, type: timely.refusal, message: `confirmDeletions refused: ${timely.message}` };
    if (claims.workflowId !== ctx.workflowId || claims.runId !== ctx.runId) {
      return {
        ok: false,
        type: 'WrongRun',
        message: `confirmDeletions refused: the token was signed for ${claims.workflowId}`,
      };
    }
    if (this.state.usedTokens.some((t) => t.jti === claims.jti)) {
      return { ok: false, type: 'TokenReplayed', message: 'confirmDeletions refused: this decision was already used' };
    }
    if (!mayDo('confirmDeletions', claims.roles)) {
      return {
        ok: false,
        type: MessageRefusal.NotAnAdmin,
        message: `confirmDeletions refused: ${claims.name || claims.sub} (${claims.sub}) does not have the role admin`,
      };
    }
    const reason = claims.args.reason;
    if (!isNonEmptyText(reason)) {
      return {
        ok: false,
        type: MessageRefusal.MissingReason,
        message: 'confirmDeletions refused: "reason" is required',
      };
    }
    return { ok: true, claims, reason };
  }
}
