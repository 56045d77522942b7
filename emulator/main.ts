import { Command, InvalidArgumentError } from 'commander';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FIXTURE_PATH, parseGenerateSpec, startEmulator, writeGeneratedFixture } from './index';

/**
 * `npm run emulator -- --port 18080 [--fixture FILE | --generate SPEC [--fixture-out FILE]] [--state FILE]`: the
 * emulator as a long-running process.
 */

function int(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

const program = new Command()
  .name('emulator')
  .description(
    'Local emulator of the Alibaba Cloud CS (2015-12-15), RAM (2015-05-01), IMS (2019-08-15) and STS (2015-04-01) OpenAPIs',
  )
  .option('--port <port>', 'port to listen on (0 = any free port)', int, 18080)
  .option('--host <host>', 'address to bind; loopback by default', '127.0.0.1')
  .option('--fixture <file>', 'fixture to start from and reset to', DEFAULT_FIXTURE_PATH)
  .option(
    '--generate <spec>',
    'start on a generated account instead, e.g. clusters=50,identities=2000,orphans=40,nameless=10,recycled=5',
  )
  .option('--fixture-out <file>', 'with --generate: where to write the generated fixture (default: a temp file)')
  .option('--state <file>', 'persist state to this file across restarts')
  .option('--task-delay <ms>', 'delay before an async clean task lands', int, 300)
  .option('--quiet', 'do not log each call')
  .parse();

const opts = program.opts<{
  port: number;
  host: string;
  fixture: string;
  generate?: string;
  fixtureOut?: string;
  state?: string;
  taskDelay: number;
  quiet?: boolean;
}>();

/** The fixture to serve: the one given, or one generated from `--generate` and written out (reset reloads it). */
function fixturePath(): string {
  if (opts.generate === undefined) return opts.fixture;
  const file = opts.fixtureOut ?? join(mkdtempSync(join(tmpdir(), 'emulator-generated-')), 'fixture.json');
  const s = writeGeneratedFixture(parseGenerateSpec(opts.generate), file);
  console.log(
    `generated ${s.clusterIds.length} clusters, ${s.spec.identities} identities (${s.liveKubeconfigs} kubeconfigs), ` +
      `${Object.keys(s.orphans).length} orphans (${s.roleOrphanUids.length} roles, ${s.namelessUids.length} nameless, ` +
      `${s.recycledUids.length} in the ` +
      `recycle bin), ${Object.keys(s.expired).length} deleted with expired kubeconfigs, ${s.staleUserNames.length} stale users`,
  );
  return file;
}

async function main(): Promise<void> {
  const fixture = fixturePath();
  const emulator = await startEmulator({
    port: opts.port,
    host: opts.host,
    fixturePath: fixture,
    ...(opts.state !== undefined && { statePath: opts.state }),
    taskDelayMs: opts.taskDelay,
    log: opts.quiet ? undefined : (line) => console.log(line),
  });
  const f = emulator.fixture;
  const keys = [
    ...f.account.rootAccessKeys.map((k) => ['root', k] as const),
    // Inactive keys sign nothing (a generated account has many).
    ...f.users.flatMap((u) =>
      u.accessKeys.filter((k) => k.status === 'Active').map((k) => [`user/${u.name}`, k] as const),
    ),
  ];
  const width = Math.max(...keys.map(([who]) => who.length));
  console.log(`Alibaba Cloud CS + RAM + IMS emulator listening on ${emulator.url}`);
  console.log(`  SDK config: endpoint '${emulator.endpoint}', protocol 'http', regionId '${f.regionId}'`);
  console.log(`  account ${f.account.id}; fixture ${fixture}${opts.state ? `; state ${opts.state}` : ''}`);
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
