/** Descriptive statistics as the original reports them (numpy "linear" percentiles, not rounded). */
export interface Stats {
  mean: number;
  median: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Linear interpolation between closest ranks on an ascending-sorted list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = (sorted.length - 1) * p;
  const lower = Math.floor(index);
  const upper = Math.min(lower + 1, sorted.length - 1);
  const w = index - lower;
  return sorted[lower]! * (1 - w) + sorted[upper]! * w;
}

export function describe(values: readonly number[]): Stats {
  if (values.length === 0) return { mean: 0, median: 0, p50: 0, p95: 0, p99: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const p50 = percentile(sorted, 0.5);
  return {
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    median: p50,
    p50,
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
  };
}

/**
 * round(x, 2) as Python computes it: exact binary halves (12.125) go to the even neighbour,
 * everything else to the nearest.
 */
export function round2(x: number): number {
  const scaled = x * 100;
  const floor = Math.floor(scaled);
  const diff = scaled - floor;
  if (diff === 0.5) return (floor % 2 === 0 ? floor : floor + 1) / 100;
  return Math.round(scaled) / 100;
}
