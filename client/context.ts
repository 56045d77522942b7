import { temporalSettings } from './config';
import { type Io, type Output } from './output';
import { connectTemporal, type TemporalSession } from './temporal';

/** What a command gets: where to write, and a Temporal connection opened on first use (never for bad input). */
export class Ctx {
  private session?: TemporalSession;

  constructor(
    readonly io: Io,
    readonly out: Output,
  ) {}

  get env(): NodeJS.ProcessEnv {
    return this.io.env;
  }

  async temporal(): Promise<TemporalSession> {
    this.session ??= await connectTemporal(temporalSettings(this.io.env));
    return this.session;
  }

  async close(): Promise<void> {
    await this.session?.close();
    this.session = undefined;
  }
}
