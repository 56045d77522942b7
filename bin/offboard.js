#!/usr/bin/env node
// Launcher for `npx offboard …`: runs the TypeScript CLI as JavaScript from a compile cache (./compile-cache.js), so
// that it starts fast and works right after `npm ci`, with no build step. main() never throws; it returns the exit
// code (see `offboard --help`).
'use strict';
// `offboard list | head` closes the pipe early: that is the reader's choice, not an error worth a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
require('./compile-cache').register();
require('../client/cli.ts')
  .main(process.argv)
  .then((code) => process.exit(code));
