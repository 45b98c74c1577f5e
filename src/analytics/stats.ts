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

export function summarize(values: readonly number[]): Stats {
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
 * round(x, 2) as Python computes it: on the exact binary value of x, ties to even. A tie at two
 * decimals means x is an odd multiple of 1/8 (12.125, 0.375), so x * 8 being an odd integer detects
 * it exactly; every other value rounds to the nearest, which toFixed does on the exact value
 * (x * 100 would not: 1.115 * 100 is 111.5 in binary floating point, but 1.115 is below the tie).
 */
export function round2(x: number): number {
  if (!Number.isFinite(x) || Math.abs(x) >= 1e21) return x;
  const eighths = x * 8;
  if (Number.isInteger(eighths) && eighths % 2 !== 0 && Math.abs(x) < 1e13) {
    const scaled = x * 100; // exact below 1e13: an odd multiple of 12.5
    const floor = Math.floor(scaled);
    return (floor % 2 === 0 ? floor : floor + 1) / 100;
  }
  return Number(x.toFixed(2));
}
