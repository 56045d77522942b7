import Credential, { Config as CredentialConfig } from '@alicloud/credentials';
import { ConfigError } from '../config/env';
import { type WorkerConfig } from '../config/worker';
import { createAlibabaClients } from './alibaba';
import { jsonLinesAuditSink } from './audit';
import { auditSigner } from './audit-chain';
import { makeRedactor } from './classify';
import { defaultProbes } from './dependencies';
import { type ActivityDeps } from './deps';
import { createActivities } from './index';
import { notifierFromConfig } from './notification';
import { rateLimiter } from './rate-limit';
import { checkWorkerPrincipal, resolveWorkerPrincipal } from './worker-identity';

/**
 * The production activities from the worker configuration. The worker, the dry-run CLI and the tests all build theirs
 * here, pointed at Alibaba Cloud or at the emulator by configuration alone, so no test runs a mocked activity.
 */

/**
 * The SDK clients, the worker's identity (by id, through STS, checked against the configuration: asked once, when
 * first needed), probes, sinks, the redactor of the worker's own secrets, and the one rate limiter of the worker's
 * Alibaba calls (no metrics: the worker adds its registry, see activitiesFromConfig).
 */
export async function activityDepsFromConfig(config: WorkerConfig): Promise<ActivityDeps> {
  const a = config.alibaba;
  const credential = a.fixtureKey
    ? new Credential(
        new CredentialConfig({
          type: 'access_key',
          accessKeyId: a.fixtureKey.accessKeyId,
          accessKeySecret: a.fixtureKey.accessKeySecret,
        }),
      )
    : new Credential(); // the default chain: environment, profile, ECS RAM role, OIDC, ...
  // Known secrets are scrubbed from every error message that leaves an activity.
  const secrets: string[] = [];
  let workerAccessKeyId: string | undefined;
  try {
    const model = await credential.getCredential();
    if (model.accessKeySecret) secrets.push(model.accessKeySecret);
    if (model.securityToken) secrets.push(model.securityToken);
    workerAccessKeyId = model.type === 'access_key' ? model.accessKeyId : undefined;
  } catch (err) {
    throw new Error(`no Alibaba Cloud credentials: ${(err as Error).message}`, { cause: err });
  }
  const redact = makeRedactor(secrets);
  const clients = createAlibabaClients({
    csEndpoint: a.csEndpoint,
    ramEndpoint: a.ramEndpoint,
    stsEndpoint: a.stsEndpoint,
    imsEndpoint: a.imsEndpoint,
    protocol: a.protocol,
    region: a.region,
    credential,
  });
  // Who the credentials are, by id, asked once; a configuration that disagrees is refused.
  const worker = once(async () => {
    const principal = await resolveWorkerPrincipal(clients.sts, redact);
    const mismatch = checkWorkerPrincipal(principal, a);
    if (mismatch.length > 0) throw new ConfigError(mismatch);
    return principal;
  });
  return {
    clients,
    accountId: a.accountId,
    workerIdentity: a.workerIdentity,
    worker,
    workerAccessKeyId,
    trust: { issuer: config.trust.issuer, keys: config.trust.keys },
    timing: config.timing,
    recycleBinPurge: config.recycleBinPurge,
    deletionFailsafe: config.deletionFailsafe,
    probes: defaultProbes(config.recentUseWindowMs),
    audit: jsonLinesAuditSink(config.auditDir, config.auditKey ? auditSigner(config.auditKey) : undefined),
    notifier: notifierFromConfig(config),
    redact,
    limiter: rateLimiter(config.rateLimits),
  };
}

/** The first call's answer for every later call; a failure is not kept, so the next call asks again. */
function once<T>(ask: () => Promise<T>): () => Promise<T> {
  let answer: Promise<T> | undefined;
  return () => {
    answer ??= ask().catch((err: unknown) => {
      answer = undefined;
      throw err;
    });
    return answer;
  };
}

/**
 * The worker's activities. The worker's own principal is resolved here, at start: credentials of another account,
 * another identity or the root account stop the worker before it polls. `overrides` adds the worker's metrics
 * registry (worker/main.ts) or lets tests and scripts swap a sink (a quiet notifier, say).
 */
export async function activitiesFromConfig(config: WorkerConfig, overrides: Partial<ActivityDeps> = {}) {
  const deps = { ...(await activityDepsFromConfig(config)), ...overrides };
  await deps.worker();
  return createActivities(deps);
}
