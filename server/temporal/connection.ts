import { Client, Connection } from '@temporalio/client';
import { temporalClientOptions, temporalConnectionOptions, type TemporalConfig } from '../../config/temporal';
import { temporalUnavailable } from './errors';

/** How long the API waits to connect to Temporal before it answers 503. */
export const CONNECT_TIMEOUT_MS = 5_000;

/**
 * The API's one Temporal client, connected on first use: the server starts (and answers 503 for what needs Temporal)
 * while Temporal is down, and connects as soon as it is back. A connection that was made reconnects by itself.
 */
export class TemporalGateway {
  private connecting?: Promise<{ client: Client; connection: Connection }>;

  constructor(readonly config: TemporalConfig) {}

  async client(): Promise<Client> {
    this.connecting ??= Connection.connect({
      ...temporalConnectionOptions(this.config),
      connectTimeout: CONNECT_TIMEOUT_MS,
    }).then((connection) => ({
      connection,
      client: new Client({ connection, ...temporalClientOptions(this.config) }),
    }));
    try {
      return (await this.connecting).client;
    } catch (err) {
      this.connecting = undefined; // try again on the next request
      throw temporalUnavailable(this.config, err);
    }
  }

  async close(): Promise<void> {
    const open = this.connecting;
    this.connecting = undefined;
    await open?.then(({ connection }) => connection.close()).catch(() => undefined);
  }
}
