import { type Option } from 'commander';
import { type Ctx } from './context';
import { type ExitCode } from './errors';

/**
 * What a command module (client/commands/) declares next to its code. cli.ts lists the commands by name and summary
 * and loads a command's module only when that command runs (or its help is asked for); it adds what every command
 * shares: `--json`, the exit-code help, and for the commands that act on a run the RUN argument with --user/--role.
 */
export interface CommandModule<Flags> {
  /** The text of `offboard NAME --help` above the options, when the summary is not enough. */
  description?: string;
  /** The command's own options, in the order its help lists them. */
  options: Option[];
  /** Whether the command prints JSON (errors too); `--json` always does. */
  printsJson?(flags: Flags): boolean;
  /** Checks the flags before contacting anything, does the work, prints the result; throws a CliError on failure. */
  action(ctx: Ctx, flags: Flags): Promise<ExitCode>;
}
