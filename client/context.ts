import { Api } from './api';
import { apiUrlOf } from './api-url';
import { type Io, type Output } from './output';
import { bearerFor } from './session';

/**
 * What a command gets: where to write, and the offboarding API, whose URL is checked when the command first asks
 * for it (never for bad flags) and whose bearer token is read (and renewed) when the first call needs it.
 */
export class Ctx {
  private client?: Api;

  constructor(
    readonly io: Io,
    readonly out: Output,
  ) {}

  get env(): NodeJS.ProcessEnv {
    return this.io.env;
  }

  api(): Api {
    if (!this.client) {
      const url = apiUrlOf(this.env);
      this.client = new Api(url, () => bearerFor(this.env, url));
    }
    return this.client;
  }

  close(): void {
    this.client?.close();
    this.client = undefined;
  }
}
