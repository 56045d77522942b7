/**
 * The local Temporal server: find (or install once) the official Temporal CLI, start its dev server with the
 * project's search attributes, wait until it is healthy, and stop only what we started.
 * Used by `npm run temporal`, `npm start` and the jest global setup, so all three behave the same way.
 */
export * from './dev-server';
export * from './local-server';
export * from './paths';
export * from './ports';
export * from './scratch-server';
export * from './temporal-cli';
