/**
 * The emulator of the Alibaba Cloud CS and RAM OpenAPIs, as other code uses it (tests, scripts, the CLI in main.ts).
 * Inside: gateway/ (HTTP, signatures, faults, journal, admin endpoints), cs/ and ram/ (the operations), state/ (the
 * world, its fixture and its persistence).
 */

export { type EmulatorOptions, type RunningEmulator, startEmulator } from './gateway/emulator';
export type { JournalEntry } from './gateway/journal';
export { RAM_DOCUMENTED_QUOTAS } from './gateway/quotas';
export { DEFAULT_FIXTURE_PATH, fixtureCredentials } from './state/fixture';
export type { Fixture } from './state/fixture-schema';
export type { WorldOptions } from './state/options';
