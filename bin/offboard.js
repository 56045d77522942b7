#!/usr/bin/env node
// Launcher for `npx offboard …`: runs the TypeScript CLI through tsx so that it works right after `npm ci`, with
// no build step (tsx must be registered before the TypeScript entry is loaded). main() never throws; it returns the exit code (see `offboard --help`).
'use strict';
// `offboard list | head` closes the pipe early: that is the reader's choice, not an error worth a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
require('tsx/cjs');
require('../client/cli.ts')
  .main(process.argv)
  .then((code) => process.exit(code));
