import { z } from "zod";
import { groupRows, fromBackendGroups, spanRow, traceRow, type GroupOut, type Grouped } from "../analytics/group-rows.js";
import { DEFAULT_METRICS, METRIC_NAMES, type BackendMetric, type MetricName } from "../analytics/metrics.js";
import { round2 } from "../analytics/stats.js";
import { attributeNameSchema, eq } from "../domain/filter.js";
import { formatTimeMs } from "../domain/time.js";
import { UserInputError } from "../errors.js";
import { aggregateSource } from "../query/aggregate.js";
import { fitList, truncatedSchema } from "./budget.js";
import { defineTool } from "./define-tool.js";
import * as p from "./params.js";
import { coverageSchema, notesSchema, windowSchema, withCoverage } from "./summaries.js";
import { costMeta, costMetaSchema, unpricedNote } from "./cost-meta.js";

const INTERVAL = /^(\d{1,6})(s|m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** More buckets than this would be an answer no assistant can read. */
const MAX_BUCKETS = 10_000;

function intervalMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = INTERVAL.exec(text.trim());
  if (!m || Number(m[1]) === 0) throw new UserInputError(`Invalid query parameters: interval '${text.slice(0, 32)}' is not a duration like '30s', '5m', '1h' or '1d'.`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

interface Order {
  by: string;
  desc: boolean;
}

function orderOf(text: string | undefined, metrics: readonly MetricName[], groupBy: readonly string[], interval: boolean): Order {
  if (text === undefined || text.trim() === "") return interval ? { by: "bucket_start", desc: false } : { by: metrics[0]!, desc: true };
  const [by, dir, ...rest] = text.trim().split(/\s+/);
  const known = new Set<string>([...metrics, ...groupBy, "bucket_start"]);
  if (!by || rest.length > 0 || (dir !== undefined && dir !== "asc" && dir !== "desc") || !known.has(by)) {
    throw new UserInputError(
      `Invalid query parameters: order_by '${text.slice(0, 64)}' must be one of the requested metrics, a group_by field or bucket_start, ` +
        `optionally followed by asc or desc (e.g. 'p95_duration_ms desc'). Requested: ${[...known].join(", ")}.`,
    );
  }
  return { by, desc: dir === undefined ? metrics.includes(by as MetricName) : dir === "desc" };
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1; // missing values last, whatever the direction
  if (b === null || b === undefined) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : 1;
}

function sortGroups(groups: GroupOut[], order: Order): GroupOut[] {
  const value = (g: GroupOut): unknown => (order.by === "bucket_start" ? g.bucketStartMs : order.by in g.key ? g.key[order.by] : g.values[order.by as MetricName]);
  return [...groups].sort((x, y) => {
    const a = value(x);
    const b = value(y);
    const missing = a === null || a === undefined || b === null || b === undefined;
    const c = compare(a, b);
    if (c !== 0) return order.desc && !missing ? -c : c;
    // Ties: stable by bucket, then by key.
    return compare(x.bucketStartMs, y.bucketStartMs) || compare(JSON.stringify(x.key), JSON.stringify(y.key));
  });
}

const metricOutput = Object.fromEntries(METRIC_NAMES.map((m) => [m, z.number().nullable().optional()])) as Record<MetricName, z.ZodOptional<z.ZodNullable<z.ZodNumber>>>;

const groupSchema = z.object({
  key: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  bucket_start: z.string().optional(),
  ...metricOutput,
});

export const aggregateTraces = defineTool({
  name: "aggregate_traces",
  title: "Aggregate spans or traces",
  description:
    "Group a window's spans (or traces, level 'trace') by up to 3 fields (service.name, operation_name, status, model, " +
    "any attribute), optionally per time bucket, with count, error_rate (%), p50-p99 latency, tokens and cost_usd.",
  input: z.strictObject({
    start_time: p.startTime,
    end_time: p.endTime,
    service_name: p.serviceName,
    filters: p.filters,
    level: z.enum(["span", "trace"]).default("span").describe("'span' (default): one row per span; 'trace': one row per trace."),
    group_by: z.array(attributeNameSchema.min(1).max(256)).max(3).default([]).describe("0-3 fields to group by, e.g. ['service.name'] or ['model']."),
    metrics: z
      .array(z.enum(METRIC_NAMES))
      .min(1)
      .max(METRIC_NAMES.length)
      .default([...DEFAULT_METRICS])
      .describe(`Metrics per group (default ${DEFAULT_METRICS.join(", ")}).`),
    interval: z.string().max(16).optional().describe("Time bucket for trends, e.g. '5m', '1h', '1d'."),
    order_by: z.string().max(300).optional().describe("A metric, group_by field or 'bucket_start', with 'asc'/'desc' (default: first metric desc; buckets by time)."),
    limit: z.number().int().min(1).max(1000).default(50).describe("Most groups to return (1-1000, default 50)."),
  }),
  output: z.object({
    groups: z.array(groupSchema),
    group_count: z.number().int().describe("Groups before the limit."),
    truncated: truncatedSchema,
    window: windowSchema,
    coverage: coverageSchema,
    notes: notesSchema,
    ...costMetaSchema,
  }),
  errorPrefix: "Failed to aggregate",
  fit: (result, max) => fitList(result, "groups", max, "Ask for fewer groups (limit), fewer metrics, or a coarser interval."),
  async run(args, ctx) {
    const window = p.parseWindow(args, ctx.now());
    const interval = intervalMs(args.interval);
    const groupBy = [...new Set(args.group_by)];
    const metrics = [...new Set(args.metrics)];
    const order = orderOf(args.order_by, metrics, groupBy, interval !== undefined);
    const filters = [...(args.service_name ? [eq("service.name", args.service_name)] : []), ...p.parseFilters(args.filters)];
    if (interval !== undefined && window.startMs !== undefined) {
      const span = (window.endMs ?? ctx.now()) - window.startMs;
      if (span / interval > MAX_BUCKETS) {
        throw new UserInputError(`Invalid query parameters: interval '${args.interval}' makes more than ${MAX_BUCKETS} buckets in this window; use a coarser interval.`);
      }
    }
    const wantsCost = metrics.includes("cost_usd");
    const request = {
      ...window,
      level: args.level,
      filters,
      groupBy,
      metrics: metrics.filter((m): m is BackendMetric => m !== "cost_usd"),
      ...(interval !== undefined ? { intervalMs: interval } : {}),
      byModel: wantsCost,
    };
    const pricer = wantsCost ? await ctx.pricer() : undefined;
    let source = await aggregateSource(ctx, request);
    let grouped: Grouped | undefined;
    const extraNotes: string[] = [];
    if (source.kind === "pushed") {
      grouped = fromBackendGroups(source.answer.groups, metrics, pricer);
      if (!grouped) {
        // Some calls must be priced one by one (a long-context tier, a time-bound price): from rows.
        source = await aggregateSource(ctx, { ...request, pushdown: false });
        extraNotes.push("cost_usd needs some calls priced one by one (long-context tiers or time-bound prices), so this answer was computed from fetched rows.");
      }
    }
    let spans: number;
    if (source.kind === "pushed") {
      spans = source.answer.spans;
    } else if (source.kind === "spans") {
      grouped = groupRows(source.items.map((s) => spanRow(s, groupBy)), groupBy, metrics, interval, pricer);
      spans = source.items.length;
    } else {
      grouped = groupRows(source.items.map((t) => traceRow(t, groupBy)), groupBy, metrics, interval, pricer);
      spans = source.items.reduce((n, t) => n + t.spans.length, 0);
    }
    if (!grouped) throw new Error("aggregate_traces: no groups computed");
    const sorted = sortGroups(grouped.groups, order);
    const groups = sorted.slice(0, args.limit).map((g) => ({
      key: g.key,
      ...(g.bucketStartMs !== undefined ? { bucket_start: formatTimeMs(g.bucketStartMs) } : {}),
      ...Object.fromEntries(metrics.map((m) => [m, m === "error_rate" && typeof g.values[m] === "number" ? round2(g.values[m]) : (g.values[m] ?? null)])),
    }));
    const notes = [...source.notes, ...extraNotes, ...unpricedNote(grouped.cost), ...(grouped.cost?.notes ?? [])];
    if (sorted.length > args.limit) notes.push(`${sorted.length} groups; the first ${args.limit} by ${order.by} are shown (raise limit for more).`);
    if (source.kind !== "pushed" && args.level === "span" && sorted.length === 0 && filters.length > 0) notes.push("No span matched the filters in this window.");
    const body = { groups, group_count: sorted.length, ...costMeta(grouped.cost) };
    return withCoverage(body, { ...source, notes, coverage: { ...source.coverage, spans } });
  },
});
