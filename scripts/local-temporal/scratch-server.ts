/**
 * The Temporal server a test run, benchmark or soak uses: the one TEMPORAL_ADDRESS names when set (with the project's
 * search attributes made sure of), otherwise a dev server of its own, in memory, on free ports, stopped by the caller
 * when done. Unlike the project's local server (local-server.ts) it keeps nothing between runs.
 */
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { type DevServer, ensureSearchAttributes, startDevServer } from './dev-server';
import { type Log } from './paths';
import { freePort } from './ports';
import { ensureTemporalCli } from './temporal-cli';

export interface ScratchServerOptions {
  /** Where the started server's log goes: `<logDir>/<logName>-<grpc port>.log`. */
  logDir: string;
  logName: string;
  namespace?: string;
  /** False to serve the Temporal UI too (a browser test needs it). */
  headless?: boolean;
  log?: Log;
}

export interface ScratchServer {
  address: string;
  namespace: string;
  /** Set when this call started the server (TEMPORAL_ADDRESS was not set): the caller stops it. */
  started?: DevServer;
}

export async function scratchTemporalServer(options: ScratchServerOptions): Promise<ScratchServer> {
  const log = options.log ?? (() => undefined);
  const namespace = options.namespace ?? 'default';
  const given = process.env.TEMPORAL_ADDRESS;
  if (given) {
    const connection = await Connection.connect({ address: given });
    try {
      await ensureSearchAttributes(connection, namespace);
    } finally {
      await connection.close();
    }
    return { address: given, namespace };
  }
  const cli = await ensureTemporalCli(log);
  const grpcPort = await freePort();
  const started = await startDevServer({
    cli: cli.path,
    grpcPort,
    uiPort: await freePort(),
    namespace,
    headless: options.headless ?? true,
    logFile: join(options.logDir, `${options.logName}-${grpcPort}.log`),
  });
  return { address: started.address, namespace, started };
}
