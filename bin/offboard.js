#!/usr/bin/env node
// Launcher for `npx offboard …`: runs the CLI compiled into one JavaScript file (./compiled-cli.js compiles it on
// first use and whenever a source changes), so that it starts fast and works right after `npm ci`, with no build
// step. main() never throws; it returns the exit code (see `offboard --help`).
'use strict';
// `offboard list | head` closes the pipe early: that is the reader's choice, not an error worth a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
const args = process.argv.slice(2);
const asksHelp = args.length === 0 || args[0] === 'help' || args.includes('--help') || args.includes('-h');
// Each command has its own code cache (what it runs); every help text shares one.
const command = asksHelp ? 'help' : (args.find((a) => !a.startsWith('-')) ?? 'help');
require('./compiled-cli')
  .loadCli(command)
  .then(async ({ cli, keepCodeCache }) => {
    const code = await cli.main(process.argv);
    if (code === 0) keepCodeCache();
    process.exit(code);
  })
  .catch((err) => {
    process.stderr.write(`offboard: cannot compile the CLI: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
