/**
 * The one door from workflows to activities: types only, erased by the bundler, so no SDK or Node API reaches the
 * sandbox.
 */
// eslint-disable-next-line no-restricted-imports -- type-only import; the config's '!../activities/types' exception does not match relative paths (reported)
import type { OffboardActivities as Activities } from '../activities/types';

export type OffboardActivities = Activities;
