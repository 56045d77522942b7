/**
 * The one door from workflows to activities: types only, erased by the bundler, so no SDK or Node API reaches the
 * sandbox.
 */
import type { OffboardActivities as Activities } from '../activities/types';

export type OffboardActivities = Activities;
