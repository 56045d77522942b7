/**
 * OFFBOARD_DELETION_FAILSAFE: the default (20 per hour), a setting, `off`, and every bad value refused with the
 * variable and its rule before the worker starts. And the governor's counting on its own (workflow time passed in):
 * a retried reservation gets the same answer, the window slides, a pause holds everything until a confirmation.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeletionGovernor, FAILSAFE_RULE } from '../../common/deletion-failsafe';
import { type DecisionClaims } from '../../common/signed-token';
import { ConfigError } from '../../config/env';
import { loadWorkerConfig } from '../../config/worker';

const dataDir = mkdtempSync(join(tmpdir(), 'offboard-failsafe-'));
const load = (env: Record<string, string>) => loadWorkerConfig({ OFFBOARD_DATA_DIR: dataDir, ...env });

test('unset: 20 deletions per hour; a setting and off are taken', () => {
  expect(load({}).deletionFailsafe).toEqual({ limit: 20, windowMs: 3_600_000, text: '20/1h' });
  expect(load({ OFFBOARD_DELETION_FAILSAFE: '50/1d' }).deletionFailsafe).toEqual({
    limit: 50,
    windowMs: 86_400_000,
    text: '50/1d',
  });
  expect(load({ OFFBOARD_DELETION_FAILSAFE: 'off' }).deletionFailsafe).toBe('off');
});

test.each(['0/1h', '20', '20/', '/1h', '20/30s', '20/8d', '100000/1h', '20 per hour', '-1/1h', 'OFF'])(
  'OFFBOARD_DELETION_FAILSAFE=%s is refused with the variable and the rule',
  (value) => {
    let problems = '';
    try {
      load({ OFFBOARD_DELETION_FAILSAFE: value });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      problems = (err as ConfigError).problems.join('\n');
    }
    expect(problems).toBe(`OFFBOARD_DELETION_FAILSAFE: ${FAILSAFE_RULE}`);
  },
);

describe('the governor', () => {
  const hour = 3_600_000;
  const ask = (g: DeletionGovernor, name: string, at: number) =>
    g.reserve(
      { workflowId: `offboard/1/user/${name}`, runId: 'r1', targetRef: `user/${name}`, limit: 2, windowMs: hour },
      at,
    );
  const admin = { sub: 'dave', name: 'Dave', jti: 'j1', exp: 9_999_999_999 } as DecisionClaims;

  test('the same run gets the same answer; the window slides; a pause holds all until a confirmation', () => {
    const g = new DeletionGovernor('1');
    expect(ask(g, 'a', 0)).toMatchObject({ granted: true, count: 1 });
    expect(ask(g, 'a', 10)).toMatchObject({ granted: true, count: 1 });
    expect(ask(g, 'b', 20)).toMatchObject({ granted: true, count: 2 });
    expect(ask(g, 'c', 30)).toMatchObject({ granted: false, why: 'window-full', count: 2, limit: 2 });
    expect(ask(g, 'c', 40)).toMatchObject({ granted: false });
    // An hour later the window has room again, but the pause holds: nothing goes unchecked.
    expect(ask(g, 'd', hour + 50)).toMatchObject({ granted: false, why: 'paused', count: 0 });
    expect(g.status(hour + 50)).toMatchObject({ paused: true, count: 0 });
    expect(g.status(hour + 50).held.map((h) => h.targetRef)).toEqual(['user/c', 'user/d']);

    expect(g.confirm(admin, 'checked', hour + 60)).toMatchObject({ by: 'dave', released: 2 });
    expect(g.status(hour + 60)).toMatchObject({ paused: false, count: 0, held: [] });
    expect(ask(g, 'e', hour + 70)).toMatchObject({ granted: true, count: 1 });
    expect(ask(g, 'f', hour + 80)).toMatchObject({ granted: true, count: 2 });
    expect(ask(g, 'g', hour + 90)).toMatchObject({ granted: false, why: 'window-full' });
  });
});
