import { join, resolve } from 'node:path';

/** Where the repository and its local state are, and the one error of the local Temporal set-up. */

export const repoRoot = resolve(__dirname, '..', '..');
/** Local state of the dev server and the demo; OFFBOARD_DATA_DIR moves it (a second demo, or a test of the demo). */
export const dataDir = process.env.OFFBOARD_DATA_DIR ? resolve(process.env.OFFBOARD_DATA_DIR) : join(repoRoot, '.data');

export class TemporalSetupError extends Error {
  override name = 'TemporalSetupError';
}

export type Log = (line: string) => void;
