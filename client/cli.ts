import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { OffboardingStage, OffboardReasons, parseDurationMs, Rules } from '../common';
import {
  abortCommand,
  approveCommand,
  rejectCommand,
  rescindCommand,
  resolveCommand,
  retryCommand,
} from './commands/decide';
import { listCommand } from './commands/list';
import { planCommand } from './commands/plan';
import { revokeCommand } from './commands/revoke';
import { revokeOwnCommand } from './commands/revoke-own';
import { startCommand } from './commands/start';
import { auditCommand, auditFormats, statusCommand } from './commands/status';
import { Ctx } from './context';
import { CliError, ExitCode, exitCodeHelp } from './errors';
import { asOption, clusterOption, jsonOption, roleOption, userOption } from './flags';
import { type Io, Output, processIo, setTableWidth } from './output';
import { runArgumentHelp } from './runs';

/**
 * `offboard`: the operators' CLI. Commander parses; each command checks its flags with common/'s rules before
 * contacting anything, talks to Temporal with the worker's connection settings, and ends with an exit code.
 */

const environmentHelp = `Environment (the same variables as the worker):
  TEMPORAL_ADDRESS      Temporal frontend host:port (default 127.0.0.1:7233)
  TEMPORAL_NAMESPACE    namespace (default "default")
  TEMPORAL_TASK_QUEUE   task queue of new runs (default "offboarding")
  TEMPORAL_API_KEY, TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_TLS_CA   authentication, when the server needs it
  OFFBOARD_ACCOUNT_ID   the Alibaba Cloud account of --user/--role (default: the demo account in emulator mode)
  OFFBOARD_ALIBABA_MODE, OFFBOARD_CS_ENDPOINT, OFFBOARD_RAM_ENDPOINT, OFFBOARD_REGION   where plan and revoke-own read`;

const examples = `Examples:
  offboard start --user alice --reason departure --requested-by hr-jane --ticket HR-1234 --wait
  offboard plan --user alice
  offboard approve --user alice --as carol
  offboard list --stage Blocked
  offboard status --user alice
  offboard revoke --user bob --cluster c-prod-1`;

function durationArg(value: string): number {
  const ms = parseDurationMs(value);
  if (ms === undefined) throw new InvalidArgumentError(Rules.duration);
  return ms;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
}

export function buildProgram(io: Io, setExit: (code: ExitCode) => void): Command {
  /** Runs a command: one Output per command (--json or not), errors become messages and exit codes. */
  const run =
    <A extends unknown[]>(fn: (ctx: Ctx, ...args: A) => Promise<ExitCode>) =>
    async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const opts = command.opts<{ json?: boolean; format?: string }>();
      const out = new Output(io, Boolean(opts.json) || opts.format === 'json');
      const ctx = new Ctx(io, out);
      setTableWidth(io.columns);
      try {
        // Commander passes positional arguments, then the options object, then the command.
        setExit(await fn(ctx, ...(args.slice(0, -1) as A)));
      } catch (err) {
        const e =
          err instanceof CliError
            ? err
            : new CliError(ExitCode.Unexpected, err instanceof Error ? err.message : String(err), 'Unexpected');
        out.error(e);
        setExit(e.exitCode);
      } finally {
        await ctx.close();
      }
    };

  const program = new Command('offboard')
    .description(
      'Offboard RAM users and roles from Alibaba Cloud safely: dependency check, kubeconfig revocation, verification, ' +
        'approval, deletion — each step a durable Temporal run.',
    )
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .addHelpText('after', `\n${exitCodeHelp}\n\n${environmentHelp}\n\n${examples}\n`);

  const decisionHelp = `\nRUN is ${runArgumentHelp}.\n\n${exitCodeHelp}\n`;

  // HR ---------------------------------------------------------------------------------------------------------
  program
    .command('start')
    .summary('HR: start offboarding a RAM user or role')
    .description(
      'Start offboarding a RAM user or role. Prints the run id. A second start for the same identity joins the ' +
        'running offboarding. With --wait, follows the stages until the run waits for a human or ends.',
    )
    .addOption(userOption())
    .addOption(roleOption())
    .addOption(new Option('--reason <reason>', 'why').choices(OffboardReasons).makeOptionMandatory())
    .requiredOption('--requested-by <who>', 'who asks (HR person or system); may not also approve the deletion')
    .option('--ticket <id>', 'the HR ticket, recorded with the request')
    .option('--comment <text>', 'free text shown to the approvers')
    .addOption(clusterOption())
    .option('--delete-not-before <iso>', 'delete no earlier than this ISO-8601 time, even if approved before')
    .option('--wait', 'follow the stages until the run waits for a human or ends')
    .addOption(
      new Option('--wait-timeout <duration>', 'stop following after this long (the run goes on)')
        .default(15 * 60_000, '15m')
        .argParser(durationArg),
    )
    .addOption(jsonOption())
    .addHelpText('after', `\n${exitCodeHelp}\n`)
    .action(run(startCommand));

  program
    .command('plan')
    .summary('HR: dry run — what would be revoked and deleted, and the dependency findings')
    .description(
      'Dry run: reads the identity in Alibaba Cloud (RAM and ACS, read-only calls only) and shows what an ' +
        'offboarding would quarantine, revoke and delete, and what the dependency probes find. Changes nothing and ' +
        "starts no run. Reads with the worker's configuration (OFFBOARD_* and ALIBABA_CLOUD_* variables).",
    )
    .addOption(userOption())
    .addOption(roleOption())
    .addOption(clusterOption())
    .addOption(jsonOption())
    .addHelpText('after', `\n${exitCodeHelp}\n`)
    .action(run(planCommand));

  // Admins -----------------------------------------------------------------------------------------------------
  const withRun = (c: Command) =>
    c.argument('[run]', 'the run id (or use --user/--role)').addOption(userOption()).addOption(roleOption());

  withRun(program.command('approve'))
    .summary('admin: approve the deletion of a run waiting in AwaitingApproval')
    .description('Approve the deletion. The run checks that you are an admin and not the requester (four eyes).')
    .addOption(asOption())
    .option('--comment <text>', 'recorded with the approval')
    .addOption(jsonOption())
    .addHelpText('after', decisionHelp)
    .action(run(approveCommand));

  withRun(program.command('reject'))
    .summary('admin: reject the deletion (access stays cut unless --restore-access)')
    .description(
      'Reject the deletion. With --restore-access the run undoes quarantine and revocation in reverse order.',
    )
    .addOption(asOption())
    .requiredOption('--reason <text>', 'why (recorded)')
    .option('--restore-access', 'give the identity its access back')
    .addOption(jsonOption())
    .addHelpText('after', decisionHelp)
    .action(run(rejectCommand));

  withRun(program.command('resolve'))
    .summary('admin: decide on dependency findings (proceed or abort)')
    .description(
      'Decide on the dependency findings of a run that waits for it: --proceed goes on (after a 7-day refusal: ' +
        'with Force), --abort ends the run (nothing was changed yet).',
    )
    .addOption(asOption())
    .addOption(new Option('--proceed', 'go on with the offboarding').conflicts('abort'))
    .addOption(new Option('--abort', 'end the run; nothing has been changed yet').conflicts('proceed'))
    .requiredOption('--note <text>', 'why it is safe to proceed, or why not (recorded; the run requires it)')
    .addOption(jsonOption())
    .addHelpText('after', decisionHelp)
    .action(run(resolveCommand));

  withRun(program.command('rescind'))
    .summary('HR or admin: call off an offboarding before deletion begins (access is restored)')
    .description('Call off the offboarding (a rehire, a mistake) before Deletion begins; the run restores access.')
    .addOption(asOption())
    .requiredOption('--reason <text>', 'why (recorded)')
    .addOption(jsonOption())
    .addHelpText('after', decisionHelp)
    .action(run(rescindCommand));

  // On-call ----------------------------------------------------------------------------------------------------
  program
    .command('list')
    .summary('on-call: list runs (Temporal visibility)')
    .description(
      'List offboarding and revocation runs of the configured account (OFFBOARD_ACCOUNT_ID) from Temporal ' +
        'visibility, newest first.',
    )
    .addOption(new Option('--stage <stage>', 'only runs in this stage').choices(Object.values(OffboardingStage)))
    .option('--requested-by <who>', 'only runs requested by this person or system')
    .addOption(userOption())
    .addOption(roleOption())
    .option('--open', 'only runs that have not ended')
    .option('--all-accounts', 'runs of every account, not only OFFBOARD_ACCOUNT_ID')
    .addOption(new Option('--limit <n>', 'at most this many runs').default(50).argParser(positiveInt))
    .addOption(jsonOption())
    .addHelpText('after', `\n${exitCodeHelp}\n`)
    .action(run(listCommand));

  withRun(program.command('status'))
    .summary('on-call: stage, what the run waits for and since when, findings, audit trail')
    .addOption(jsonOption())
    .addHelpText('after', decisionHelp)
    .action(run(statusCommand));

  withRun(program.command('retry'))
    .summary('on-call: retry the failed step of a Blocked run (after fixing the cause)')
    .addOption(asOption())
    .option('--reason <text>', 'what was fixed (recorded)')
    .addOption(jsonOption())
    .addHelpText('after', decisionHelp)
    .action(run(retryCommand));

  withRun(program.command('abort'))
    .summary('on-call: end a Blocked run (access stays cut unless --restore-access)')
    .addOption(asOption())
    .requiredOption('--reason <text>', 'why (recorded)')
    .option('--restore-access', 'undo what the run did so far')
    .addOption(jsonOption())
    .addHelpText('after', decisionHelp)
    .action(run(abortCommand));

  withRun(program.command('audit'))
    .summary("on-call: the run's audit trail")
    .addOption(
      new Option('--format <format>', 'table for people, md for a ticket, json for tools').choices(auditFormats),
    )
    .addOption(jsonOption())
    .addHelpText('after', decisionHelp)
    .action(run(auditCommand));

  // Security ---------------------------------------------------------------------------------------------------
  program
    .command('revoke')
    .summary("security: revoke an identity's kubeconfigs now (leak response), wait for verification")
    .description(
      'Revoke the kubeconfigs and RBAC grants of a RAM user or role at once (no approval, nothing deleted), wait ' +
        'until the revocation is verified on every cluster, and print how long it took.',
    )
    .addOption(userOption())
    .addOption(roleOption())
    .addOption(clusterOption())
    .option('--requested-by <who>', 'who asks (default: your login name)')
    .addOption(new Option('--reason <reason>', 'why').choices(OffboardReasons).default('compromise'))
    .addOption(
      new Option('--timeout <duration>', 'stop waiting after this long (the run goes on)')
        .default(10 * 60_000, '10m')
        .argParser(durationArg),
    )
    .addOption(jsonOption())
    .addHelpText('after', `\n${exitCodeHelp}\n`)
    .action(run(revokeCommand));

  program
    .command('revoke-own')
    .summary('a RAM user: revoke your own kubeconfig on one cluster, with your own credentials')
    .description(
      'Revoke your own kubeconfig on one cluster (RevokeK8sClusterKubeConfig), signed with your own credentials ' +
        'from the default credential chain (ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET, a profile, an instance role). ' +
        'The cluster then issues you a new kubeconfig. Needs no Temporal.',
    )
    .addOption(new Option('--cluster <id>', 'the cluster').makeOptionMandatory())
    .addOption(jsonOption())
    .addHelpText('after', `\n${exitCodeHelp}\n`)
    .action(run(revokeOwnCommand));

  return program;
}

/** Runs the CLI; never throws. Returns the exit code (see `offboard --help`). */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let exitCode: ExitCode = ExitCode.Ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
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
