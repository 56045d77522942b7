/**
 * The p-th percentile of the benchmarks' figures, by nearest rank: the smallest value with at least p % of the values
 * at or below it. Always one of the measured values, never an interpolation; p50 of 1..100 is 50, and p99 of fewer
 * than 100 values is their maximum. The values may come in any order (a sorted copy is ranked).
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile: no values to rank');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be within 0..100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}
