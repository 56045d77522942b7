import { resolve } from 'node:path';
import { z } from 'zod';
import { isValidActor } from '../common/validation';
import { type AlibabaSettings, readAlibabaSettings } from './alibaba';
import { ConfigError, duration, type Env, existingFile, read } from './env';
import { readTemporalConfig, type TemporalConfig } from './temporal';

/**
 * The worker's whole configuration from the environment, validated at start with one message per bad variable naming
 * it and its rule.
 */

export interface WorkerConfig {
  temporal: TemporalConfig;
  alibaba: AlibabaSettings;
  admins: string[];
  auditDir: string;
  notifyWebhook?: string;
  recentUseWindowMs: number;
  workflowBundlePath?: string;
  shutdownGraceMs: number;
}

export const DEMO_ADMINS = ['carol', 'dave'];

export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  const problems: string[] = [];
  const temporal = readTemporalConfig(env, problems);
  const alibaba = readAlibabaSettings(env, problems);
  const live = alibaba.mode === 'live';
  const adminsRule = z
    .string({ error: 'is required in live mode: a comma-separated list of admin names' })
    .transform((v) =>
      v
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .refine((list) => list.length > 0, 'must name at least one admin')
    .refine(
      (list) => list.every(isValidActor),
      'each admin must be 1-128 characters: letters, digits, ".", "_", "@", "+" or "-"',
    );
  const admins = read(env, 'OFFBOARD_ADMINS', live ? adminsRule : adminsRule.default([...DEMO_ADMINS]), problems);
  const auditDir = read(env, 'OFFBOARD_AUDIT_DIR', z.string().min(1).default('.data/audit'), problems);
  const notifyWebhook = read(
    env,
    'OFFBOARD_NOTIFY_WEBHOOK',
    z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    problems,
  );
  const recentUseWindowMs = read(env, 'OFFBOARD_RECENT_USE_WINDOW', duration('7d'), problems);
  const shutdownGraceMs = read(env, 'OFFBOARD_SHUTDOWN_GRACE', duration('10s'), problems);
  const workflowBundlePath = read(
    env,
    'OFFBOARD_WORKFLOW_BUNDLE',
    existingFile('prebuilt workflow bundle (.js)').optional(),
    problems,
  );

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    temporal,
    alibaba,
    admins: admins as string[],
    auditDir: resolve(auditDir as string),
    notifyWebhook,
    recentUseWindowMs: recentUseWindowMs as number,
    workflowBundlePath,
    shutdownGraceMs: shutdownGraceMs as number,
  };
}

/** What the worker prints at start: no secrets, and says where the credentials come from. */
export function describeConfig(config: WorkerConfig): string {
  const a = config.alibaba;
  return [
    `temporal ${config.temporal.address} namespace=${config.temporal.namespace} taskQueue=${config.temporal.taskQueue}${config.temporal.apiKey ? ' apiKey=set' : ''}${config.temporal.tls ? ' tls=on' : ''}`,
    `alibaba mode=${a.mode} cs=${a.csEndpoint ?? 'default'} ram=${a.ramEndpoint ?? 'default'} region=${a.region} account=${a.accountId} worker=${a.workerIdentity}`,
    `credentials: ${a.fixtureKey ? `demo fixture key ${a.fixtureKey.accessKeyId} of ${a.workerIdentity} (emulator mode, ALIBABA_CLOUD_ACCESS_KEY_ID unset)` : 'default credential chain of @alicloud/credentials'}`,
    `admins=${config.admins.join(',')} audit=${config.auditDir} notify=${config.notifyWebhook ? 'webhook' : 'console'}`,
  ].join('\n');
}
