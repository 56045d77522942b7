import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_FIXTURE_PATH, startEmulator } from './index';

/** `npm run emulator -- --port 18080 [--fixture FILE] [--state FILE]`: the emulator as a long-running process. */

function int(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

const program = new Command()
  .name('emulator')
  .description('Local emulator of the Alibaba Cloud CS (2015-12-15), RAM (2015-05-01) and STS (2015-04-01) OpenAPIs')
  .option('--port <port>', 'port to listen on (0 = any free port)', int, 18080)
  .option('--host <host>', 'address to bind; loopback by default', '127.0.0.1')
  .option('--fixture <file>', 'fixture to start from and reset to', DEFAULT_FIXTURE_PATH)
  .option('--state <file>', 'persist state to this file across restarts')
  .option('--task-delay <ms>', 'delay before an async clean task lands', int, 300)
  .option('--quiet', 'do not log each call')
  .parse();

const opts = program.opts<{
  port: number;
  host: string;
  fixture: string;
  state?: string;
  taskDelay: number;
  quiet?: boolean;
}>();

async function main(): Promise<void> {
  const emulator = await startEmulator({
    port: opts.port,
    host: opts.host,
    fixturePath: opts.fixture,
    ...(opts.state !== undefined && { statePath: opts.state }),
    taskDelayMs: opts.taskDelay,
    log: opts.quiet ? undefined : (line) => console.log(line),
  });
  const f = emulator.fixture;
  const keys = [
    ...f.account.rootAccessKeys.map((k) => ['root', k] as const),
    ...f.users.flatMap((u) => u.accessKeys.map((k) => [`user/${u.name}`, k] as const)),
  ];
  const width = Math.max(...keys.map(([who]) => who.length));
  console.log(`Alibaba Cloud CS + RAM emulator listening on ${emulator.url}`);
  console.log(`  SDK config: endpoint '${emulator.endpoint}', protocol 'http', regionId '${f.regionId}'`);
  console.log(`  account ${f.account.id}; fixture ${opts.fixture}${opts.state ? `; state ${opts.state}` : ''}`);
  console.log('  access keys (demo credentials from the fixture, valid only against this emulator):');
  for (const [who, k] of keys) console.log(`    ${who.padEnd(width)}  ${k.id}  ${k.secret}`);
  console.log('  admin (loopback only): GET /__emulator/journal  POST|GET|DELETE /__emulator/faults');
  console.log('                         POST /__emulator/reset    GET /__emulator/state');
  console.log('                         POST|GET /__emulator/options  POST /__emulator/clusters/<id>');
  if (!/^(127\.|::1$|localhost$)/.test(opts.host)) {
    console.warn(
      `  warning: bound to ${opts.host}; the API is reachable beyond this machine (admin stays loopback-only)`,
    );
  }

  let closing = false;
  const stop = (signal: string): void => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: stopping (state flushed)`);
    emulator.close().then(
      () => process.exit(0),
      (err: Error) => {
        console.error(err.message);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: Error) => {
  console.error(`emulator: ${err.message}`);
  process.exit(1);
});
