/**
 * The shape of an offboarding's way to its approval, read from one run's history: the commands its workflow tasks sent
 * (a patch, a search-attribute update, a local activity, an activity, the timer it then waits on), in order. The
 * floor benchmark (workflows.ts) replays that shape with no work in any step, so that the Temporal server and SDK's own
 * cost for it can be set beside the real run's.
 */
import { temporal } from '@temporalio/proto';

export type FloorStep = 'patch' | 'upsert' | 'local' | 'activity' | 'wait';

const types = temporal.api.enums.v1.EventType;
type EventType = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The search attribute the SDK updates when a run first takes a patch. */
const CHANGE_VERSION = 'TemporalChangeVersion';

/** A run's events up to the first timer it starts: an offboarding's way to its approval, where it then waits. */
export function untilTheWait(events: HistoryEvent[]): HistoryEvent[] {
  const timer = events.findIndex((e) => e.eventType === types.EVENT_TYPE_TIMER_STARTED);
  if (timer < 0) throw new Error('the run has started no timer: it is not waiting for its approval');
  return events.slice(0, timer + 1);
}

/**
 * The steps of a run's way to the wait (untilTheWait): each command its workflow sent. Events that follow a command
 * on their own (workflow tasks, an activity's start and completion) are not steps.
 */
export function shapeOf(history: HistoryEvent[]): FloorStep[] {
  const events = untilTheWait(history);
  const steps: FloorStep[] = [];
  const follows = new Set<EventType>([
    types.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
    types.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    types.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    types.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    types.EVENT_TYPE_ACTIVITY_TASK_STARTED,
    types.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
  ]);
  for (const event of events) {
    const type = event.eventType ?? types.EVENT_TYPE_UNSPECIFIED;
    if (follows.has(type)) continue;
    if (type === types.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES) {
      // The SDK's own update that records a patch (TemporalChangeVersion) comes with the patch, not from the run.
      const fields = Object.keys(
        event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {},
      );
      if (!(fields.length === 1 && fields[0] === CHANGE_VERSION)) steps.push('upsert');
    } else if (type === types.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) steps.push('activity');
    else if (type === types.EVENT_TYPE_TIMER_STARTED) steps.push('wait');
    else if (type === types.EVENT_TYPE_MARKER_RECORDED) {
      const marker = event.markerRecordedEventAttributes?.markerName;
      if (marker === 'core_patch') steps.push('patch');
      else if (marker === 'core_local_activity') steps.push('local');
      else throw new Error(`the floor cannot take the shape of a ${marker} marker (event ${event.eventId})`);
    } else {
      // A run that failed a task, retried an activity or was signalled has a shape the floor would not mirror.
      throw new Error(`the floor cannot take the shape of event ${event.eventId}, ${types[type]}`);
    }
  }
  return steps;
}

/** `EVENT_TYPE_WORKFLOW_EXECUTION_STARTED EVENT_TYPE_WORKFLOW_TASK_SCHEDULED …`: a history's events by type, to compare. */
export function eventTypeNames(events: HistoryEvent[]): string[] {
  return events.map((e) => types[e.eventType ?? types.EVENT_TYPE_UNSPECIFIED]);
}

/** Every step, each with its name in a description (one, several), in the order a description lists them. */
const STEP_NAMES: Record<FloorStep, [string, string]> = {
  local: ['local activity', 'local activities'],
  activity: ['activity', 'activities'],
  upsert: ['search-attribute update', 'search-attribute updates'],
  patch: ['patch', 'patches'],
  wait: ['timer', 'timers'],
};
const STEPS = Object.keys(STEP_NAMES) as FloorStep[];

/** `11 local activities, 1 activity, 2 search-attribute updates, 1 patch, 1 timer` */
export function describeShape(steps: FloorStep[]): string {
  return STEPS.map((step) => [step, steps.filter((s) => s === step).length] as const)
    .filter(([, n]) => n > 0)
    .map(([step, n]) => `${n} ${STEP_NAMES[step][n === 1 ? 0 : 1]}`)
    .join(', ');
}

/**
 * A shape written out (`--floor-shape activity,upsert,wait`, `local*4` for four): to measure what another shape
 * would cost. It needs a search-attribute update: the benchmark counts a floor run done at its last one.
 */
export function parseShape(text: string): FloorStep[] {
  const steps = text.split(',').flatMap((part) => {
    const match = /^([a-z]+)(?:\*(\d+))?$/.exec(part.trim());
    const step = STEPS.find((s) => s === match?.[1]);
    if (!match || !step) throw new Error(`--floor-shape: "${part}" is not one of ${STEPS.join(', ')} (or step*N)`);
    return Array.from({ length: Number(match[2] ?? 1) }, () => step);
  });
  if (!steps.includes('upsert')) throw new Error('--floor-shape: needs an upsert, where a floor run is counted done');
  return steps;
}
