/**
 * Where a run's page is in the web console: the path is the run's workflow id under `/console/runs/`, so anyone who
 * has the id (a notification, the CLI, the Temporal UI) can open it. Used by the console's routes and by the worker's
 * notifier, which puts the full URL in approval requests, reminders and Blocked alerts.
 */
export const CONSOLE_RUNS_PATH = '/console/runs';

export function runPagePath(workflowId: string): string {
  return `${CONSOLE_RUNS_PATH}/${workflowId.split('/').map(encodeURIComponent).join('/')}`;
}

/** The run page's URL under the console's base URL (no trailing slash). */
export function runPageUrl(consoleUrl: string, workflowId: string): string {
  return `${consoleUrl.replace(/\/+$/, '')}${runPagePath(workflowId)}`;
}
