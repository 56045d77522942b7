import { readFileSync } from 'node:fs';
import { type DataConverter } from '@temporalio/common';
import { z } from 'zod';
import { dataConverter } from './codec';
import { ConfigError, type Env, existingFile, hostPort, nonEmpty, read } from './env';
import { type PayloadKeyring, readPayloadKeys } from './payload-keys';

/**
 * The Temporal connection settings, shared by the worker, the API server, the CLI and the scripts: where Temporal is,
 * how to authenticate to it, and the keys that encrypt what is stored there (OFFBOARD_PAYLOAD_KEYS).
 */

export interface TemporalConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  apiKey?: string;
  tls?: { certPath?: string; keyPath?: string; caPath?: string };
  /** The payload encryption keys (config/payload-keys.ts); every client and worker encodes with them. */
  payloadKeys: PayloadKeyring;
}

/** The Temporal connection settings; throws a ConfigError naming every bad variable. */
export function loadTemporalConfig(env: Env = process.env): TemporalConfig {
  const problems: string[] = [];
  const config = readTemporalConfig(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

export function readTemporalConfig(env: Env, problems: string[]): TemporalConfig {
  const address = read(env, 'TEMPORAL_ADDRESS', hostPort('Temporal frontend').default('127.0.0.1:7233'), problems);
  const namespace = read(
    env,
    'TEMPORAL_NAMESPACE',
    nonEmpty('must be a namespace name')
      .regex(/^[A-Za-z0-9._-]{1,255}$/, 'must be 1-255 letters, digits, ".", "_" or "-"')
      .default('default'),
    problems,
  );
  const taskQueue = read(
    env,
    'TEMPORAL_TASK_QUEUE',
    nonEmpty('must be a task queue name').max(1000, 'must be at most 1000 characters').default('offboarding'),
    problems,
  );
  const apiKey = read(env, 'TEMPORAL_API_KEY', z.string().min(1).optional(), problems, false);
  const certPath = read(env, 'TEMPORAL_TLS_CERT', existingFile('PEM client certificate').optional(), problems);
  const keyPath = read(env, 'TEMPORAL_TLS_KEY', existingFile('PEM client key').optional(), problems);
  const caPath = read(env, 'TEMPORAL_TLS_CA', existingFile('PEM CA certificate').optional(), problems);
  if (Boolean(env.TEMPORAL_TLS_CERT) !== Boolean(env.TEMPORAL_TLS_KEY)) {
    problems.push(
      'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: must be set together (mTLS needs both the certificate and its key)',
    );
  }
  const tls = certPath || keyPath || caPath ? { certPath, keyPath, caPath } : undefined;
  const payloadKeys = readPayloadKeys(env, problems);
  return {
    address: address as string,
    namespace: namespace as string,
    taskQueue: taskQueue as string,
    apiKey,
    tls,
    payloadKeys: payloadKeys as PayloadKeyring,
  };
}

/** Options for `Connection.connect` (client) and `NativeConnection.connect` (worker): same shape for both. */
export function temporalConnectionOptions(config: TemporalConfig): {
  address: string;
  apiKey?: string;
  tls?: boolean | { clientCertPair?: { crt: Buffer; key: Buffer }; serverRootCACertificate?: Buffer };
} {
  let tls: boolean | { clientCertPair?: { crt: Buffer; key: Buffer }; serverRootCACertificate?: Buffer } | undefined;
  if (config.tls) {
    tls = {
      clientCertPair:
        config.tls.certPath && config.tls.keyPath
          ? { crt: readFileSync(config.tls.certPath), key: readFileSync(config.tls.keyPath) }
          : undefined,
      serverRootCACertificate: config.tls.caPath ? readFileSync(config.tls.caPath) : undefined,
    };
  } else if (config.apiKey) {
    tls = true; // an API key (Temporal Cloud) travels over TLS with the system roots
  }
  return { address: config.address, apiKey: config.apiKey, tls };
}

/** Options for `new Client({ connection, ...temporalClientOptions(config) })`: the namespace and the codec. */
export function temporalClientOptions(config: TemporalConfig): { namespace: string; dataConverter: DataConverter } {
  return { namespace: config.namespace, dataConverter: dataConverter(config) };
}
