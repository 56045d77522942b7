import { toFailure } from './classify';
import { type ActivityContext } from './deps';
import { type OffboardActivities } from './types';

export interface Notification {
  event: 'blocked' | 'dependencies-found' | 'approval-requested' | 'approval-reminder' | 'finished' | 'restored';
  workflowId: string;
  subject: string;
  text: string;
}

export interface Notifier {
  send(n: Notification): Promise<void>;
}

/** The default: one line on the worker's console (its log collector takes it from there). */
export function consoleNotifier(log: (line: string) => void = (l) => console.log(l)): Notifier {
  return {
    async send(n) {
      log(`[notify] ${n.event} ${n.workflowId}: ${n.subject} — ${n.text}`);
    },
  };
}

/** POSTs the notification as JSON; a non-2xx answer or a network error is thrown (the activity classifies it). */
export function webhookNotifier(url: string, timeoutMs = 5_000): Notifier {
  return {
    async send(n) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(n),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) {
        const err = new Error(`webhook answered HTTP ${response.status}`) as Error & { statusCode: number };
        err.statusCode = response.status;
        throw err;
      }
    },
  };
}

/** Notification: a failed send is classified like an SDK failure, so a 5xx or a timeout is retried a few times. */
export function notificationActivities({ deps }: ActivityContext): Pick<OffboardActivities, 'notify'> {
  return {
    async notify(notification) {
      try {
        await deps.notifier.send(notification);
      } catch (err) {
        throw toFailure('notify', err, deps.redact);
      }
    },
  };
}
