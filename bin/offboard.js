#!/usr/bin/env node
// Launcher for `npx offboard …`: runs the TypeScript CLI through tsx so that it works right after `npm ci`, with
// no build step. main() never throws; it returns the exit code (see `offboard --help`).
/* global require, process */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS launcher: tsx must be registered before the TypeScript entry is loaded */
'use strict';
require('tsx/cjs');
require('../client/cli.ts')
  .main(process.argv)
  .then((code) => process.exit(code));
