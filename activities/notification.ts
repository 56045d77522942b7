import { runPageUrl } from '../common/console-links';
import { type WorkerConfig } from '../config/worker';
import { toFailure } from './classify';
import { type ActivityContext } from './deps';
import { type OffboardActivities } from './types';

export interface Notification {
  event:
    | 'blocked'
    | 'dependencies-found'
    | 'approval-requested'
    | 'approval-reminder'
    | 'failsafe-paused'
    | 'finished'
    | 'restored';
  workflowId: string;
  subject: string;
  text: string;
}

/**
 * What a chat tool shows (Slack's and Mattermost's incoming webhooks read `text`; others `title` and `link`): the
 * subject as the title, the text ending with the run page's URL so that a tool that shows only `text` still links,
 * and the event and workflow id for tools that route on them.
 */
export interface ChatMessage {
  title: string;
  text: string;
  /** The run's page in the web console, when the worker knows the console's URL. */
  link?: string;
  event: Notification['event'];
  workflowId: string;
}

export function chatMessage(n: Notification, consoleUrl?: string): ChatMessage {
  const link = consoleUrl ? runPageUrl(consoleUrl, n.workflowId) : undefined;
  return {
    title: n.subject,
    text: link ? `${n.text}\nOpen the run: ${link}` : n.text,
    ...(link ? { link } : {}),
    event: n.event,
    workflowId: n.workflowId,
  };
}

export interface Notifier {
  send(n: Notification): Promise<void>;
}

/** Where console notifications go: the line, and its fields for a structured log (the worker's JSON lines). */
export type NotifyLog = (line: string, fields: { event: string; workflowId: string }) => void;

/** The default: one line on the worker's console (its log collector takes it from there), with the run's link. */
export function consoleNotifier(log: NotifyLog = (l) => console.log(l), consoleUrl?: string): Notifier {
  return {
    async send(n) {
      const link = consoleUrl ? ` <${runPageUrl(consoleUrl, n.workflowId)}>` : '';
      log(`[notify] ${n.event} ${n.workflowId}: ${n.subject} — ${n.text}${link}`, {
        event: n.event,
        workflowId: n.workflowId,
      });
    },
  };
}

/** POSTs the chat message as JSON; a non-2xx answer or a network error is thrown (the activity classifies it). */
export function webhookNotifier(url: string, options: { consoleUrl?: string; timeoutMs?: number } = {}): Notifier {
  return {
    async send(n) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(chatMessage(n, options.consoleUrl)),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
      if (!response.ok) {
        const err = new Error(`webhook answered HTTP ${response.status}`) as Error & { statusCode: number };
        err.statusCode = response.status;
        throw err;
      }
    },
  };
}

/**
 * The worker's notifier: the webhook when one is configured, else the console (`log`: the worker's JSON log); links
 * to the web console.
 */
export function notifierFromConfig(
  config: Pick<WorkerConfig, 'notifyWebhook' | 'consoleUrl'>,
  log?: NotifyLog,
): Notifier {
  return config.notifyWebhook
    ? webhookNotifier(config.notifyWebhook, { consoleUrl: config.consoleUrl })
    : consoleNotifier(log, config.consoleUrl);
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
