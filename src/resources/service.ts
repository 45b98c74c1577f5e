/**
 * service://{service_name}: what a service does and how it is doing, cheaply: its operations with
 * recent RED figures (requests, errors, duration percentiles) from one bounded read of its newest
 * spans in the backend's default window. A sample, and it says so: `coverage.complete` is false
 * when the window held more spans than were read, and rates are then per minute of the time the
 * sample covers.
 */
import { aggregate, quantile, total, type Measures } from "../analytics/aggregate.js";
import { round2 } from "../analytics/stats.js";
import { eq } from "../domain/filter.js";
import { formatTimeUs } from "../domain/time.js";
import { spanHasError, type Span } from "../domain/trace.js";
import { NoDataError } from "../errors.js";
import { findSpans, listServicesOf } from "../query/search.js";
import { windowOutput } from "../query/window.js";
import { fitList } from "../tools/budget.js";
import { defineResourceTemplate, expandTemplate } from "./define-resource.js";

export const SERVICE_URI_TEMPLATE = "service://{service_name}";
/** Spans one read takes: enough for stable percentiles, small enough for any backend. */
export const SERVICE_SAMPLE_SPANS = 500;

export function serviceUri(serviceName: string): string {
  return expandTemplate(SERVICE_URI_TEMPLATE, { service_name: serviceName });
}

const measures = {
  requests: { kind: "count" },
  errors: { kind: "countIf", when: spanHasError },
  durations: { kind: "values", of: (s) => s.durationMs },
} satisfies Measures<Span>;

function red(g: { requests: number; errors: number; durations: number[] }, minutes: number) {
  return {
    requests: g.requests,
    errors: g.errors,
    error_rate: g.requests > 0 ? round2((g.errors / g.requests) * 100) : 0,
    // Not round2: a quiet service's rate (0.0014/min) must not read as zero; the renderer tidies it.
    per_minute: minutes > 0 ? g.requests / minutes : 0,
    p50_ms: round2(quantile(g.durations, 0.5) ?? 0),
    p95_ms: round2(quantile(g.durations, 0.95) ?? 0),
    p99_ms: round2(quantile(g.durations, 0.99) ?? 0),
  };
}

export const serviceResource = defineResourceTemplate({
  name: "service",
  title: "Service",
  uriTemplate: SERVICE_URI_TEMPLATE,
  description:
    "One service: its operations with recent request count, errors, error rate (%), requests per minute and p50/p95/p99 duration (ms), " +
    `from its newest ${SERVICE_SAMPLE_SPANS} spans in the default window.`,
  mimeType: "application/json",
  complete: { service_name: "service" },
  errorPrefix: "Failed to read service",
  async read(vars, ctx) {
    const name = vars.service_name ?? "";
    const found = await findSpans(ctx, { limit: Math.min(SERVICE_SAMPLE_SPANS, ctx.maxTraces), filters: [eq("service.name", name)], mode: "newest" });
    const spans = found.items;
    if (spans.length === 0) {
      const known = await listServicesOf(ctx, await ctx.backend());
      if (!known.includes(name)) {
        throw new NoDataError(`Unknown service '${name.slice(0, 64)}'. Known services: ${known.slice(0, 20).join(", ") || "none"}${known.length > 20 ? ", …" : ""}.`);
      }
    }
    const sampled = spans.length >= Math.min(SERVICE_SAMPLE_SPANS, ctx.maxTraces);
    // A full sample covers only the time since its oldest span, so rates are per minute of that.
    const fromMs = sampled && spans.length > 0 ? Math.min(...spans.map((s) => s.startTimeUs / 1000)) : found.window.startMs;
    const minutes = Math.max(0, (found.window.endMs - fromMs) / 60_000);
    const operations = aggregate(spans, (s) => s.operationName, measures)
      .sort((a, b) => b.requests - a.requests || (a.key < b.key ? -1 : 1))
      .map((g) => ({ operation_name: g.key, ...red(g, minutes) }));
    return {
      service_name: name,
      window: windowOutput(found.window),
      totals: red(total(spans, measures), minutes),
      operations,
      coverage: {
        spans: spans.length,
        complete: !sampled && found.coverage.complete,
        ...(sampled && spans.length > 0 ? { since: formatTimeUs(fromMs * 1000) } : {}),
      },
      ...(found.notes.length > 0 ? { notes: found.notes } : {}),
    };
  },
  fit: (result, max) => fitList(result, "operations", max, "The service has more operations than fit; use search_spans with this service_name and an operation_name."),
});
