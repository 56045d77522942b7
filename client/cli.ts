import { Command, CommanderError } from 'commander';
import { type CommandModule } from './command';
import { Ctx } from './context';
import { DEFAULT_API_URL } from './api-url';
import { CliError, ExitCode, exitCodeHelp } from './errors';
import { jsonOption, roleOption, userOption } from './flags';
import { type Io, Output, processIo, setTableWidth } from './output';

/**
 * `offboard`: the operators' CLI. This file only wires. It lists the commands by name and summary and loads a
 * command's module (client/commands/, where its options sit next to its code) only when that command runs, so that
 * `offboard --help` loads nothing but commander. Every command but `revoke-own` talks only to the offboarding API
 * (OFFBOARD_API_URL), as the signed-in person. It adds what every command shares (--json, the exit codes; RUN and
 * --user/--role for the commands that act on a run), and it is the one exit path: every failure becomes a message
 * and an exit code.
 */

interface CommandEntry {
  name: string;
  summary: string;
  /** The command acts on one run: RUN (a workflow id) or --user/--role names it. */
  actsOnRun?: true;
  /** The command's one positional argument (`schedule sweep`): its usage, help, and the flag it is passed as. */
  argument?: { usage: string; description: string; flag: string };
  load(): Promise<CommandModule<object>>;
}

/** The commands in the order of `offboard --help`, by who uses them. */
const commands: readonly CommandEntry[] = [
  // Everyone
  {
    name: 'login',
    summary: 'sign in at your identity provider (a page and a code to confirm in a browser)',
    load: () => import('./commands/login').then((m) => m.login),
  },
  {
    name: 'logout',
    summary: 'sign out: revoke the session and remove it from this machine',
    load: () => import('./commands/logout').then((m) => m.logout),
  },
  {
    name: 'whoami',
    summary: 'who the API takes you for: subject, name, roles',
    load: () => import('./commands/whoami').then((m) => m.whoami),
  },
  // HR
  {
    name: 'start',
    summary: 'HR: start offboarding a RAM user or role',
    load: () => import('./commands/start').then((m) => m.start),
  },
  {
    name: 'plan',
    summary: 'HR: dry run — what would be revoked and deleted, and the dependency findings',
    load: () => import('./commands/plan').then((m) => m.plan),
  },
  // Admins
  {
    name: 'approve',
    summary: 'admin: approve the deletion of a run waiting in AwaitingApproval',
    actsOnRun: true,
    load: () => import('./commands/decide').then((m) => m.approve),
  },
  {
    name: 'reject',
    summary: 'admin: reject the deletion (access stays cut unless --restore-access)',
    actsOnRun: true,
    load: () => import('./commands/decide').then((m) => m.reject),
  },
  {
    name: 'resolve',
    summary: 'admin: decide on dependency findings (proceed or abort)',
    actsOnRun: true,
    load: () => import('./commands/decide').then((m) => m.resolve),
  },
  {
    name: 'rescind',
    summary: 'HR or admin: call off an offboarding before deletion begins (access is restored)',
    actsOnRun: true,
    load: () => import('./commands/decide').then((m) => m.rescind),
  },
  {
    name: 'undo',
    summary: "admin: undo a Completed offboarding while RAM's recycle bin holds the user (a second admin approves)",
    actsOnRun: true,
    load: () => import('./commands/undo').then((m) => m.undo),
  },
  {
    name: 'approve-undo',
    summary: 'admin: approve an undo (not its requester, not the user restored)',
    actsOnRun: true,
    load: () => import('./commands/undo').then((m) => m.approveUndo),
  },
  {
    name: 'reject-undo',
    summary: 'admin: reject an undo (the user stays deleted)',
    actsOnRun: true,
    load: () => import('./commands/undo').then((m) => m.rejectUndo),
  },
  // On-call
  {
    name: 'list',
    summary: 'on-call: list runs (from Temporal visibility, through the API)',
    load: () => import('./commands/list').then((m) => m.list),
  },
  {
    name: 'status',
    summary: 'on-call: stage, what the run waits for and since when, findings, audit trail',
    actsOnRun: true,
    load: () => import('./commands/status').then((m) => m.status),
  },
  {
    name: 'retry',
    summary: 'on-call: retry the failed step of a Blocked run (after fixing the cause)',
    actsOnRun: true,
    load: () => import('./commands/decide').then((m) => m.retry),
  },
  {
    name: 'abort',
    summary: 'on-call: end a Blocked run (access stays cut unless --restore-access)',
    actsOnRun: true,
    load: () => import('./commands/decide').then((m) => m.abort),
  },
  {
    name: 'audit',
    summary: "on-call: the run's audit trail",
    actsOnRun: true,
    load: () => import('./commands/audit').then((m) => m.audit),
  },
  // Security, and any RAM user
  {
    name: 'revoke',
    summary: "security: revoke an identity's kubeconfigs now (leak response), wait for verification",
    load: () => import('./commands/revoke').then((m) => m.revoke),
  },
  {
    name: 'sweep',
    summary: 'security, admin: revoke kubeconfigs of identities RAM no longer has (--dry-run; --last: the report)',
    load: () => import('./commands/sweep').then((m) => m.sweep),
  },
  {
    name: 'schedule',
    summary: 'admin: the sweep schedule (schedule sweep --every 24h | --pause | --unpause; no flag: describe)',
    argument: { usage: '<what>', description: 'what is scheduled: sweep', flag: 'what' },
    load: () => import('./commands/schedule').then((m) => m.schedule),
  },
  {
    name: 'failsafe',
    summary: 'admin: the blast-radius failsafe (failsafe status | failsafe confirm --reason TEXT)',
    argument: { usage: '<what>', description: 'status or confirm', flag: 'what' },
    load: () => import('./commands/failsafe').then((m) => m.failsafe),
  },
  {
    name: 'revoke-own',
    summary: 'a RAM user: revoke your own kubeconfig on one cluster, with your own credentials',
    load: () => import('./commands/revoke-own').then((m) => m.revokeOwn),
  },
];

const description =
  'Offboard RAM users and roles from Alibaba Cloud safely: dependency check, kubeconfig revocation, verification, ' +
  'approval, deletion — each step a durable Temporal run, reached through the offboarding API.';

const environmentHelp = `Sign in first (offboard login): every command acts as you, with your roles. Environment:
  OFFBOARD_API_URL      the offboarding API (default ${DEFAULT_API_URL}; https unless on this machine)
  OFFBOARD_TOKEN        an access token to use instead of the session of offboard login (scripts, CI)
  OFFBOARD_CONFIG_DIR   where the session is kept (default \${XDG_CONFIG_HOME:-~/.config}/acs-offboarding)
  revoke-own only: ALIBABA_CLOUD_* (your own credentials), OFFBOARD_ALIBABA_MODE, OFFBOARD_CS_ENDPOINT, OFFBOARD_REGION`;

const examples = `Examples:
  offboard login
  offboard start --user alice --reason departure --ticket HR-1234 --wait
  offboard plan --user alice
  offboard approve --user alice --comment "confirmed with HR-1234"
  offboard list --stage Blocked
  offboard status --user alice
  offboard revoke --user bob --cluster c-prod-1
  offboard sweep --dry-run
  offboard sweep --last
  offboard schedule sweep --every 24h`;

const runHelp =
  'RUN is the run: its workflow id (offboard/<account>/<user|role>/<name> or revoke/…, as `offboard list` shows), ' +
  'or leave it out and name the identity with --user/--role.';

/** The program with every command as a stub: its name, summary and RUN argument, enough for `offboard --help`. */
function buildProgram(io: Io): { program: Command; stubs: Map<CommandEntry, Command> } {
  const program = new Command('offboard')
    .description(description)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    // A stub has no options yet, but every command has some (--json at least): list each by its usage.
    .configureHelp({ subcommandTerm: (cmd) => `${cmd.name()} ${cmd.usage()}`.trimEnd() })
    .addHelpText('after', `\n${exitCodeHelp}\n\n${environmentHelp}\n\n${examples}\n`);
  const stubs = new Map<CommandEntry, Command>();
  for (const entry of commands) {
    const stub = program.command(entry.name).summary(entry.summary);
    if (entry.actsOnRun) stub.argument('[run]', 'the run id (or use --user/--role)');
    if (entry.argument) stub.argument(entry.argument.usage, entry.argument.description);
    stubs.set(entry, stub);
  }
  return { program, stubs };
}

/** Completes a stub with its module: description, options, help and the action that runs it. */
function completeCommand(
  command: Command,
  entry: CommandEntry,
  module: CommandModule<object>,
  io: Io,
  setExit: (code: ExitCode) => void,
): void {
  if (module.description) command.description(module.description);
  const options = entry.actsOnRun ? [userOption(), roleOption(), ...module.options] : module.options;
  for (const option of [...options, jsonOption()]) command.addOption(option);
  command.addHelpText('after', entry.actsOnRun ? `\n${runHelp}\n\n${exitCodeHelp}\n` : `\n${exitCodeHelp}\n`);
  command.action(async () => {
    const arg: unknown = command.processedArgs[0];
    const flags = entry.actsOnRun
      ? { ...command.opts(), run: arg }
      : entry.argument
        ? { ...command.opts(), [entry.argument.flag]: arg }
        : command.opts();
    setExit(await runCommand(module, flags, io));
  });
}

/** Runs a command: one Output (--json or not), and every failure becomes a message and an exit code. */
async function runCommand(module: CommandModule<object>, flags: Record<string, unknown>, io: Io): Promise<ExitCode> {
  const out = new Output(io, Boolean(flags.json) || Boolean(module.printsJson?.(flags)));
  const ctx = new Ctx(io, out);
  setTableWidth(io.columns);
  try {
    return await module.action(ctx, flags);
  } catch (err) {
    const e =
      err instanceof CliError
        ? err
        : new CliError(ExitCode.Unexpected, err instanceof Error ? err.message : String(err), 'Unexpected');
    out.error(e);
    return e.exitCode;
  } finally {
    ctx.close();
  }
}

/** The command that the arguments run or ask help for, found before parsing: its module must be loaded first. */
function commandNamed(args: string[]): CommandEntry | undefined {
  const operands = args.filter((a) => !a.startsWith('-'));
  const name = operands[0] === 'help' ? operands[1] : operands[0];
  return commands.find((c) => c.name === name);
}

/** Runs the CLI; never throws. Returns the exit code (see `offboard --help`). */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let exitCode: ExitCode = ExitCode.Ok;
  const { program, stubs } = buildProgram(io);
  try {
    const entry = commandNamed(argv.slice(2));
    const stub = entry && stubs.get(entry);
    if (entry && stub) {
      completeCommand(stub, entry, await entry.load(), io, (code) => {
        exitCode = code;
      });
    }
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version end with code 0; every parse error (unknown option, missing flag, bad choice) is bad input.
      return err.exitCode === 0 ? ExitCode.Ok : ExitCode.BadInput;
    }
    io.stderr(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return ExitCode.Unexpected;
  }
  return exitCode;
}
