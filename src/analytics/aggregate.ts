/**
 * The aggregation kernel: group items by a key and compute named measures per group. Every
 * tool that summarises spans, LLM calls or traces uses it (the analytics tools, and backends that
 * push aggregates down return the same shapes), so counts, sums and percentiles agree everywhere.
 */
import { percentile } from "./stats.js";

export type Measure<T> =
  | { kind: "count" }
  | { kind: "countIf"; when: (item: T) => boolean }
  | { kind: "sum"; of: (item: T) => number | undefined }
  | { kind: "min"; of: (item: T) => number | undefined }
  | { kind: "max"; of: (item: T) => number | undefined }
  /** Sorted distinct values (undefined ones left out). */
  | { kind: "distinct"; of: (item: T) => string | undefined }
  /** Value of the first item (in input order) that has one. */
  | { kind: "first"; of: (item: T) => string | undefined }
  /** Ascending values, for percentiles (see `quantile`). */
  | { kind: "values"; of: (item: T) => number | undefined };

type Result<M> = M extends { kind: "count" | "countIf" | "sum" }
  ? number
  : M extends { kind: "min" | "max" }
    ? number | undefined
    : M extends { kind: "distinct" | "values" }
      ? M extends { kind: "values" }
        ? number[]
        : string[]
      : M extends { kind: "first" }
        ? string | undefined
        : never;

export type Measures<T> = Record<string, Measure<T>>;

export type Group<K, M extends Measures<never>> = { key: K } & { [P in keyof M]: Result<M[P]> };

interface Acc {
  n: number;
  v: number | undefined;
  set?: Set<string>;
  list?: number[];
  s?: string;
}

function addTo<T>(acc: Acc, m: Measure<T>, item: T): void {
  switch (m.kind) {
    case "count":
      acc.n++;
      return;
    case "countIf":
      if (m.when(item)) acc.n++;
      return;
    case "sum": {
      const x = m.of(item);
      if (x !== undefined && Number.isFinite(x)) acc.n += x;
      return;
    }
    case "min":
    case "max": {
      const x = m.of(item);
      if (x === undefined || !Number.isFinite(x)) return;
      if (acc.v === undefined || (m.kind === "min" ? x < acc.v : x > acc.v)) acc.v = x;
      return;
    }
    case "distinct": {
      const x = m.of(item);
      if (x !== undefined) (acc.set ??= new Set()).add(x);
      return;
    }
    case "first":
      if (acc.s === undefined) acc.s = m.of(item);
      return;
    case "values": {
      const x = m.of(item);
      if (x !== undefined && Number.isFinite(x)) (acc.list ??= []).push(x);
      return;
    }
    default: {
      const never: never = m;
      return never;
    }
  }
}

function resultOf<T>(acc: Acc, m: Measure<T>): unknown {
  switch (m.kind) {
    case "count":
    case "countIf":
    case "sum":
      return acc.n;
    case "min":
    case "max":
      return acc.v;
    case "distinct":
      return [...(acc.set ?? [])].sort();
    case "first":
      return acc.s;
    case "values":
      return (acc.list ?? []).sort((a, b) => a - b);
    default: {
      const never: never = m;
      return never;
    }
  }
}

/**
 * Groups `items` by `key` (items whose key is undefined are left out) and computes `measures` for
 * each group. Groups come in first-seen order; sort them as the answer needs.
 */
export function aggregate<T, K, M extends Measures<T>>(items: Iterable<T>, key: (item: T) => K | undefined, measures: M): Array<Group<K, M>> {
  const names = Object.keys(measures);
  const groups = new Map<K, Acc[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    let accs = groups.get(k);
    if (!accs) {
      accs = names.map(() => ({ n: 0, v: undefined }));
      groups.set(k, accs);
    }
    for (let i = 0; i < names.length; i++) addTo(accs[i]!, measures[names[i]!]!, item);
  }
  return [...groups.entries()].map(([k, accs]) => {
    const out: Record<string, unknown> = { key: k };
    names.forEach((name, i) => (out[name] = resultOf(accs[i]!, measures[name]!)));
    return out as Group<K, M>;
  });
}

/** One group over everything (the totals row); zeros and empty lists when there are no items. */
export function total<T, M extends Measures<T>>(items: Iterable<T>, measures: M): Group<"total", M> {
  const [only] = aggregate(items, () => "total" as const, measures);
  if (only) return only;
  const out: Record<string, unknown> = { key: "total" };
  for (const [name, m] of Object.entries(measures)) out[name] = resultOf({ n: 0, v: undefined }, m);
  return out as Group<"total", M>;
}

/** Linear-interpolation quantile of ascending values; undefined for none. */
export function quantile(sorted: readonly number[], q: number): number | undefined {
  return sorted.length === 0 ? undefined : percentile(sorted, q);
}
