/**
 * `npm run temporal -- ensure|start|stop|status`: the project's local Temporal dev server.
 *   ensure  find the Temporal CLI, or build it once with Go into the cache; print its path
 *   start   start the dev server (data in .data/temporal.db, ports TEMPORAL_PORT / TEMPORAL_UI_PORT) and wait until healthy
 *   stop    stop the server that `start` started (by its recorded pid; nothing else)
 *   status  say whether it runs and where
 */
import {
  ensureTemporalCli,
  readPidFile,
  startLocalServer,
  stopLocalServer,
  TemporalSetupError,
} from './local-temporal';

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case 'ensure': {
      const started = Date.now();
      const cli = await ensureTemporalCli();
      console.log(`Temporal CLI: ${cli.path} (from ${cli.source}, ${Date.now() - started} ms)`);
      return 0;
    }
    case 'start': {
      const server = await startLocalServer();
      console.log(`${server.reused ? 'Already running' : 'Started'}: Temporal dev server (pid ${server.pid})`);
      console.log(`  gRPC:     ${server.address}   (namespace ${server.namespace})`);
      console.log(`  UI:       ${server.uiUrl}`);
      console.log(`  log:      ${server.logFile}`);
      return 0;
    }
    case 'stop': {
      const stopped = await stopLocalServer();
      console.log(
        stopped ? `Stopped the Temporal dev server (pid ${stopped.pid}).` : 'No dev server of ours is running.',
      );
      return 0;
    }
    case 'status': {
      const running = readPidFile();
      if (!running) {
        console.log('Not running (start it with `npm run temporal -- start`).');
        return 3;
      }
      console.log(`Running: pid ${running.pid}, gRPC ${running.address}, UI ${running.uiUrl}, log ${running.logFile}`);
      return 0;
    }
    default:
      console.error('Usage: npm run temporal -- ensure|start|stop|status');
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof TemporalSetupError ? `error: ${err.message}` : err);
    process.exit(1);
  },
);
