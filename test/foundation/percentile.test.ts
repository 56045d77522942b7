/** scripts/bench/percentile.ts: the nearest-rank percentile the benchmarks print (and the README quotes). */
import { percentile } from '../../scripts/bench/percentile';

const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

test('nearest rank: always a measured value, the smallest with at least p % at or below it', () => {
  expect([50, 90, 99, 100].map((p) => percentile(oneToHundred, p))).toEqual([50, 90, 99, 100]);
  expect(percentile([10, 20, 30, 40], 50)).toBe(20);
  expect(percentile([10, 20, 30, 40], 51)).toBe(30);
});

test('p99 of fewer than 100 values is their maximum; the input order does not matter and is left alone', () => {
  const values = [7, 3, 9, 1, 5];
  expect(percentile(values, 99)).toBe(9);
  expect(percentile(values, 0)).toBe(1);
  expect(values).toEqual([7, 3, 9, 1, 5]);
});

test('no values, or p outside 0..100, is refused rather than printed as a figure', () => {
  expect(() => percentile([], 50)).toThrow('no values');
  expect(() => percentile([1], 101)).toThrow('p must be within 0..100, got 101');
  expect(() => percentile([1], Number.NaN)).toThrow('p must be within 0..100');
});
