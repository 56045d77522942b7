/**
 * The bulk intake's hold settings as the API reads them: off by default, a bound and a limit when set, and a bad
 * value refused at start with the variable and its rule.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../config/env';
import { describeServerConfig, loadServerConfig } from '../../config/server';

const base = () => ({ OFFBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'offboard-hold-config-')) });

test('off unless OFFBOARD_BATCH_IN_FLIGHT is set; its wait is 2 minutes unless OFFBOARD_BATCH_HOLD_LIMIT says', () => {
  const off = loadServerConfig(base());
  expect(off.batchHold).toBeUndefined();
  expect(describeServerConfig(off)).toContain('bulk starts not held (OFFBOARD_BATCH_IN_FLIGHT=off)');
  expect(loadServerConfig({ ...base(), OFFBOARD_BATCH_IN_FLIGHT: 'off' }).batchHold).toBeUndefined();
  expect(loadServerConfig({ ...base(), OFFBOARD_BATCH_IN_FLIGHT: '80' }).batchHold).toEqual({
    inFlight: 80,
    maxWaitMs: 120_000,
  });
  const held = loadServerConfig({ ...base(), OFFBOARD_BATCH_IN_FLIGHT: '80', OFFBOARD_BATCH_HOLD_LIMIT: '30s' });
  expect(held.batchHold).toEqual({ inFlight: 80, maxWaitMs: 30_000 });
  expect(describeServerConfig(held)).toContain(
    'bulk starts held while 80 runs are on their way to approval (OFFBOARD_BATCH_IN_FLIGHT), a request at most 30 s (OFFBOARD_BATCH_HOLD_LIMIT)',
  );
});

const inFlightRule = 'must be "off" or a whole number of runs from 1 to 100000';
// [variable, value, rule, OFFBOARD_BATCH_IN_FLIGHT beside it ('' = unset)]
test.each([
  ['OFFBOARD_BATCH_IN_FLIGHT', '0', inFlightRule, ''],
  ['OFFBOARD_BATCH_IN_FLIGHT', '2.5', inFlightRule, ''],
  ['OFFBOARD_BATCH_IN_FLIGHT', '200000', inFlightRule, ''],
  ['OFFBOARD_BATCH_HOLD_LIMIT', '30s', 'has no effect unless OFFBOARD_BATCH_IN_FLIGHT is set', ''],
  ['OFFBOARD_BATCH_HOLD_LIMIT', 'soon', 'must be a duration', '80'],
  ['OFFBOARD_BATCH_HOLD_LIMIT', '10m', 'must be from 1s to 4m', '80'],
])('%s=%s is refused at start, naming the variable and the rule', (name, value, rule, inFlight) => {
  let err: unknown;
  try {
    loadServerConfig({ ...base(), ...(inFlight && { OFFBOARD_BATCH_IN_FLIGHT: inFlight }), [name]: value });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).problems.join('\n')).toContain(`${name}: ${rule}`);
});
