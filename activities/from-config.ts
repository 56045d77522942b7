import Credential, { Config as CredentialConfig } from '@alicloud/credentials';
import { type WorkerConfig } from '../config/worker';
import { createAlibabaClients } from './alibaba';
import { directoryAuditSink } from './audit';
import { makeRedactor } from './classify';
import { defaultProbes } from './dependencies';
import { type ActivityDeps } from './deps';
import { createActivities } from './index';
import { notifierFromConfig } from './notification';

/**
 * The production activities from the worker configuration. The worker, the dry-run CLI and the tests all build theirs
 * here, pointed at Alibaba Cloud or at the emulator by configuration alone, so no test runs a mocked activity.
 */

/** The SDK clients, the worker's identity, probes, sinks and the redactor of the worker's own secrets. */
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
  return {
    clients: createAlibabaClients({
      csEndpoint: a.csEndpoint,
      ramEndpoint: a.ramEndpoint,
      protocol: a.protocol,
      region: a.region,
      credential,
    }),
    accountId: a.accountId,
    workerIdentity: a.workerIdentity,
    workerAccessKeyId,
    trust: { issuer: config.trust.issuer, keys: config.trust.keys },
    probes: defaultProbes(config.recentUseWindowMs),
    audit: directoryAuditSink(config.auditDir),
    notifier: notifierFromConfig(config),
    redact: makeRedactor(secrets),
  };
}

/** `overrides` lets tests and scripts swap a sink (a quiet notifier, say); production passes none. */
export async function activitiesFromConfig(config: WorkerConfig, overrides: Partial<ActivityDeps> = {}) {
  return createActivities({ ...(await activityDepsFromConfig(config)), ...overrides });
}
