import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The product's own Prometheus metrics, every name prefixed `offboard_`: one registry per worker, fed by the SDK-call
 * helper (Alibaba calls, errors, rate-limiter waits), by the revocation timer (time to verified revocation) and by the
 * stage collector (runs by stage from Temporal's visibility), served by worker/metrics-server.ts. The Temporal SDK's
 * own runtime metrics (`temporal_…`) come from its exporter on another port (worker/main.ts). ops/ and the README's
 * Metrics section use these names; test/ops/metrics-names.test.ts checks them against this registry.
 */
export interface OffboardMetrics {
  registry: Registry;
  /** Every Alibaba API call the activities made, answered or not. */
  alibabaCalls: Counter<'operation'>;
  /** The failed ones, by Alibaba's code (or `HTTP <status>`, or the failure type when no answer came). */
  alibabaErrors: Counter<'operation' | 'code'>;
  /** How long each call waited for the worker's own rate limit (0 for most). */
  rateLimitWait: Histogram<'operation'>;
  /** From a run's start to its verifyRevocation success (offboardIdentity and revokeKubeconfig alike). */
  revocationVerified: Histogram<'workflow'>;
  /** Running runs by their OffboardingStage. */
  runsByStage: Gauge<'stage'>;
  blockedRuns: Gauge;
  /** How long the longest-Blocked run has waited there (0: none Blocked). */
  oldestBlockedAge: Gauge;
  /** How long the oldest run awaiting approval has waited (0: none waits). */
  oldestApprovalAge: Gauge;
  /** Visibility reads of the stage collector that failed (its gauges then keep their last values). */
  stageCollectionErrors: Counter;
}

/** Buckets of the two latency histograms, in seconds: a leak response is sub-second, a blocked one takes hours. */
const WAIT_BUCKETS = [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];
const REVOCATION_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600];

/**
 * A fresh registry with every metric of the worker. `processMetrics` adds prom-client's Node process metrics
 * (`offboard_process_resident_memory_bytes`, event loop lag, …): the worker's memory is a product target.
 */
export function createMetrics(options: { processMetrics?: boolean } = {}): OffboardMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'offboard_' });
  return {
    registry,
    alibabaCalls: new Counter({
      name: 'offboard_alibaba_api_calls_total',
      help: 'Alibaba Cloud API calls made by the activities, by operation',
      labelNames: ['operation'],
      registers,
    }),
    alibabaErrors: new Counter({
      name: 'offboard_alibaba_api_errors_total',
      help: "Failed Alibaba Cloud API calls, by operation and Alibaba's error code",
      labelNames: ['operation', 'code'],
      registers,
    }),
    rateLimitWait: new Histogram({
      name: 'offboard_rate_limit_wait_seconds',
      help: "Time an Alibaba call waited for the worker's per-operation rate limit",
      labelNames: ['operation'],
      buckets: WAIT_BUCKETS,
      registers,
    }),
    revocationVerified: new Histogram({
      name: 'offboard_revocation_verified_seconds',
      help: "Time from a run's start to its verified revocation",
      labelNames: ['workflow'],
      buckets: REVOCATION_BUCKETS,
      registers,
    }),
    runsByStage: new Gauge({
      name: 'offboard_runs',
      help: 'Running offboarding runs by OffboardingStage (from Temporal visibility)',
      labelNames: ['stage'],
      registers,
    }),
    blockedRuns: new Gauge({
      name: 'offboard_blocked_runs',
      help: 'Runs in the Blocked stage, waiting for an admin to retry or abort',
      registers,
    }),
    oldestBlockedAge: new Gauge({
      name: 'offboard_oldest_blocked_age_seconds',
      help: 'How long the longest-Blocked run has been Blocked (0 when none is)',
      registers,
    }),
    oldestApprovalAge: new Gauge({
      name: 'offboard_oldest_approval_age_seconds',
      help: 'How long the oldest run awaiting approval has waited (0 when none waits)',
      registers,
    }),
    stageCollectionErrors: new Counter({
      name: 'offboard_stage_collection_errors_total',
      help: 'Failed visibility reads of the stage gauges (the gauges keep their last values)',
      registers,
    }),
  };
}
