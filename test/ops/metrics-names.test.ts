/**
 * ops/grafana-dashboard.json and ops/alerts.yml use only metrics the worker registers: each PromQL expression's metric
 * names (a histogram's `_bucket`/`_sum`/`_count` series included) are looked up in the worker's own registry
 * (activities/metrics.ts), so a renamed metric fails here instead of leaving a panel empty or an alert silent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createMetrics } from '../../activities/metrics';

const ops = join(__dirname, '..', '..', 'ops');

/** The series names the registry exposes: every metric, and a histogram's three series. */
async function registeredSeries(): Promise<Set<string>> {
  const { registry } = createMetrics();
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(metric.name + s);
  }
  return names;
}

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset']);

/** The metric names of a PromQL expression: identifiers that are neither functions, labels, keywords nor strings. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\$\{?\w+\}?/g, '');
  return [...bare.matchAll(/(?<![\w:.])([a-zA-Z_:][\w:]*)(?!\s*\(|[\w:])/g)]
    .map((m) => m[1])
    .filter((name) => !PROMQL_WORDS.has(name) && name.includes('_'));
}

interface Dashboard {
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
}
interface RuleFile {
  groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
}

test('the metric-name reader finds names, not functions, labels, durations or Grafana variables', () => {
  expect(
    metricNames(
      'histogram_quantile(0.99, sum by (le, workflow) (rate(offboard_x_bucket{workflow="a_b"}[$__rate_interval]))) > 5 and on (job) up_metric',
    ),
  ).toEqual(['offboard_x_bucket', 'up_metric']);
});

test('every metric the dashboard and the alert rules use is one the worker registers', async () => {
  const registered = await registeredSeries();
  const dashboard = JSON.parse(readFileSync(join(ops, 'grafana-dashboard.json'), 'utf8')) as Dashboard;
  const rules = parse(readFileSync(join(ops, 'alerts.yml'), 'utf8')) as RuleFile;
  const uses = [
    ...dashboard.panels.flatMap((p) => p.targets.map((t) => ({ where: `panel "${p.title}"`, expr: t.expr }))),
    ...rules.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }))),
  ];
  const used = uses.flatMap(({ where, expr }) => metricNames(expr).map((name) => ({ where, name })));
  expect(used.length).toBeGreaterThanOrEqual(uses.length);
  expect(used.filter(({ name }) => !registered.has(name))).toEqual([]);
});

test('the three alerts of issue 12 are there: a Blocked run over 1 h, an approval over 3 d, revocation p99 over 5 s', () => {
  const rules = parse(readFileSync(join(ops, 'alerts.yml'), 'utf8')) as RuleFile;
  const exprs = rules.groups.flatMap((g) => g.rules.map((r) => r.expr.replace(/\s+/g, ' ')));
  expect(exprs).toEqual([
    expect.stringMatching(/offboard_oldest_blocked_age_seconds\) > 3600$/),
    expect.stringMatching(/offboard_oldest_approval_age_seconds\) > 3 \* 24 \* 3600$/),
    expect.stringMatching(/^histogram_quantile\(0\.99, .*offboard_revocation_verified_seconds_bucket.*\) > 5$/),
  ]);
});
