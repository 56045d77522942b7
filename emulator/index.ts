/**
 * The emulator of the Alibaba Cloud CS, RAM (with IMS, its recycle bin) and STS OpenAPIs, as other code uses it
 * (tests, scripts, the CLI in main.ts). Inside: gateway/ (HTTP, signatures, faults, journal, admin endpoints), cs/,
 * ram/, ims/ and sts/ (the operations), state/ (the world, its fixture — written or generated — and its persistence).
 */

export { type EmulatorOptions, type RunningEmulator, startEmulator } from './gateway/emulator';
export type { JournalEntry } from './gateway/journal';
export { RAM_DOCUMENTED_QUOTAS } from './gateway/quotas';
export { DEFAULT_FIXTURE_PATH, fixtureCredentials } from './state/fixture';
export {
  DEFAULT_GENERATE_SPEC,
  type GeneratedSummary,
  type GenerateSpec,
  generateFixture,
  parseGenerateSpec,
  writeGeneratedFixture,
} from './state/generated-fixture';
export type { Fixture } from './state/fixture-schema';
export type { WorldOptions } from './state/options';
