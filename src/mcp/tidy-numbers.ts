/**
 * Floats in answers are rounded to what they can mean: 666.9999999999999 ms is 667 ms. Numbers
 * of at least 1 keep three decimals (µs for milliseconds, a tenth of a cent for dollars); smaller
 * ones keep six significant digits, so a $0.000123 call stays visible. Integers are untouched.
 */
export function tidyNumber(x: number): number {
  if (Number.isInteger(x) || !Number.isFinite(x)) return x;
  if (Math.abs(x) >= 1) return Math.round(x * 1000) / 1000;
  return Number(x.toPrecision(6));
}

/** A copy of `value` with every float tidied (objects and arrays walked; other values as they are). */
export function tidyNumbers<T>(value: T): T {
  if (typeof value === "number") return tidyNumber(value) as T;
  if (Array.isArray(value)) return value.map(tidyNumbers) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = tidyNumbers(v);
    return out as T;
  }
  return value;
}
