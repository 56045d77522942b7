import { type Tracer } from '@opentelemetry/api';
import { type FailsafeSetting } from '../common/deletion-failsafe';
import { type TrustedKey } from '../common/signed-token';
import { type TimingBounds } from '../common/timing';
import { type RecycleBinPurgePolicy } from '../common/undo';
import { type AlibabaClients } from './alibaba';
import { type AuditSink } from './audit';
import { type Redactor } from './classify';
import { type ClusterReads, clusterReads } from './cluster-reads';
import { type DependencyProbe } from './dependencies';
import { type Notifier } from './notification';
import { type OffboardMetrics } from './metrics';
import { type RateLimiter } from './rate-limit';
import { type SdkCalls, sdkCalls } from './sdk-call';
import { type WorkerScope, workerScope } from './worker-scope';
import { type WorkerPrincipal } from './worker-identity';

/** Everything the activities need, built once by the worker from its configuration. */
export interface ActivityDeps {
  clients: AlibabaClients;
  /** The one account whose credentials the worker holds; runs for other accounts are refused. */
  accountId: string;
  /** `user/<name>` or `role/<name>` of the worker's own identity: never a target. */
  workerIdentity: string;
  /**
   * The same identity by id, as STS answers (asked once; the worker asks at start): a target with this uid is
   * refused whatever its name.
   */
  worker: () => Promise<WorkerPrincipal>;
  /** The worker's access key id when known: a target holding it is the worker itself. */
  workerAccessKeyId?: string;
  /** The offboarding API's public keys and issuer: whose signed requests and decisions the runs accept. */
  trust: { issuer: string; keys: TrustedKey[] };
  /** Bounds on the durations and dates of run inputs, handed to each run with its policy. */
  timing: TimingBounds;
  /** What happens to a deleted user in RAM's recycle bin, handed to each run with its policy (keep when absent). */
  recycleBinPurge?: RecycleBinPurgePolicy;
  /** The blast-radius failsafe (OFFBOARD_DELETION_FAILSAFE); the default (20/1h) when absent, never off by omission. */
  deletionFailsafe?: FailsafeSetting;
  probes: DependencyProbe[];
  audit: AuditSink;
  notifier: Notifier;
  redact: Redactor;
  /** The worker's one rate limiter toward Alibaba: every activity's calls share it (activities/rate-limit.ts). */
  limiter: RateLimiter;
  /** The worker's metrics registry; none: nothing is counted. */
  metrics?: OffboardMetrics;
  /** The worker's tracer when tracing is on: a span per Alibaba call (activities/sdk-call.ts); none: off. */
  tracer?: Tracer;
  now?: () => Date;
}

/**
 * What each stage's activities are built over: the deps, the clock, the SDK-call helper, the shared CS reads and what
 * the worker can see of the clusters.
 */
export interface ActivityContext {
  deps: ActivityDeps;
  now: () => Date;
  sdk: SdkCalls;
  clusters: ClusterReads;
  scope: WorkerScope;
}

export function activityContext(deps: ActivityDeps): ActivityContext {
  const sdk = sdkCalls({ redact: deps.redact, limiter: deps.limiter, metrics: deps.metrics, tracer: deps.tracer });
  const clusters = clusterReads(deps.clients.cs, sdk);
  return {
    deps,
    now: deps.now ?? (() => new Date()),
    sdk,
    clusters,
    scope: workerScope(deps.worker, clusters),
  };
}
