import { type Io, type Output } from './output';
import { type TemporalSession } from './temporal';

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
    if (!this.session) {
      // Loaded here, not on import: `offboard --help` and bad input never pay for the Temporal client.
      const [{ connectTemporal }, { temporalSettings }] = await Promise.all([import('./temporal'), import('./config')]);
      this.session = await connectTemporal(temporalSettings(this.io.env));
    }
    return this.session;
  }

  async close(): Promise<void> {
    await this.session?.close();
    this.session = undefined;
  }
}
