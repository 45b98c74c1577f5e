/**
 * Traces for the analytics tools, built span by span so a test can compute every expected value
 * from the raw spans with plain code: services calling each other (frontend -> checkout ->
 * payments), a database, LLM calls of three models (one with no price), parallel children,
 * errors whose messages differ only in ids and numbers, rate limits and tool failures.
 */
import { mulberry32 } from "../../src/demo/plan.js";
import { assembleTrace, createSpan, type Span, type Trace } from "../../src/domain/trace.js";

export const ANALYTICS_START_MS = Date.UTC(2026, 10, 30, 8, 0, 0);
export const HOUR_MS = 3_600_000;

export interface BuiltSpan {
  id: string;
  parent: string | null;
  service: string;
  name: string;
  startMs: number;
  durationMs: number;
  error?: boolean;
  attributes?: Record<string, unknown>;
  exception?: { type: string; message: string; stack?: string };
}

const hex = (rand: () => number, n: number): string => {
  let s = "";
  while (s.length < n) s += Math.floor(rand() * 0x100000000).toString(16).padStart(8, "0");
  return s.slice(0, n);
};

export const MODELS = [
  { provider: "openai", model: "gpt-4o-mini" },
  { provider: "anthropic", model: "claude-3-5-sonnet-20241022" },
  // No price anywhere: must be listed as unpriced, never counted as $0.
  { provider: "acme", model: "mystery-model-7" },
] as const;

export interface AnalyticsDataset {
  traces: Trace[];
  /** The spans as built, per trace id (the tests' ground truth reads these). */
  built: Map<string, BuiltSpan[]>;
}

export function toTrace(traceId: string, spans: readonly BuiltSpan[]): Trace {
  return assembleTrace(
    traceId,
    spans.map((b) =>
      createSpan({
        traceId,
        spanId: b.id,
        parentSpanId: b.parent,
        operationName: b.name,
        serviceName: b.service,
        startTimeUs: b.startMs * 1000,
        durationMs: b.durationMs,
        status: b.error ? "ERROR" : "OK",
        attributes: b.attributes ?? {},
        events: b.exception
          ? [{ name: "exception", timestamp: (b.startMs + b.durationMs) * 1e6, attributes: { "exception.type": b.exception.type, "exception.message": b.exception.message, ...(b.exception.stack ? { "exception.stacktrace": b.exception.stack } : {}) } }]
          : [],
      }),
    ),
  )!;
}

export function analyticsDataset(seed = 7, count = 60): AnalyticsDataset {
  const rand = mulberry32(seed);
  const built = new Map<string, BuiltSpan[]>();
  const traces: Trace[] = [];
  for (let i = 0; i < count; i++) {
    const traceId = hex(rand, 32);
    const t0 = ANALYTICS_START_MS + Math.floor(rand() * 4 * HOUR_MS);
    const id = () => hex(rand, 16);
    const spans: BuiltSpan[] = [];
    const rootId = id();
    const total = 400 + Math.floor(rand() * 1600);
    spans.push({ id: rootId, parent: null, service: "frontend", name: "GET /checkout", startMs: t0, durationMs: total });
    const checkoutId = id();
    const checkoutStart = t0 + 5;
    const checkoutDur = total - 20;
    const orderMissing = i % 7 === 3;
    spans.push({
      id: checkoutId,
      parent: rootId,
      service: "checkout",
      name: "POST /order",
      startMs: checkoutStart,
      durationMs: checkoutDur,
      ...(orderMissing ? { error: true, exception: { type: "NotFoundError", message: `order ${10000 + Math.floor(rand() * 90000)} not found`, stack: "NotFoundError: order not found\n    at load (orders.ts:42)" } } : {}),
    });
    // Parallel children of checkout: a database query and a payment call.
    spans.push({ id: id(), parent: checkoutId, service: "checkout", name: "SELECT orders", startMs: checkoutStart + 10, durationMs: 20 + Math.floor(rand() * 80), attributes: { "db.system": "postgresql" } });
    const paymentFails = i % 11 === 5;
    spans.push({
      id: id(),
      parent: checkoutId,
      service: "payments",
      name: "charge",
      startMs: checkoutStart + 12,
      durationMs: 50 + Math.floor(rand() * 200),
      ...(paymentFails ? { error: true, exception: { type: "PaymentDeclined", message: `card ending ${1000 + i} declined after ${100 + i} ms` } } : {}),
    });
    // LLM calls from checkout (1-2), one model each.
    const calls = 1 + (i % 2);
    for (let c = 0; c < calls; c++) {
      const m = MODELS[(i + c) % MODELS.length]!;
      const input = 100 + Math.floor(rand() * 900);
      const output = 20 + Math.floor(rand() * 300);
      const limited = m.provider === "openai" && i % 9 === 0;
      spans.push({
        id: id(),
        parent: checkoutId,
        service: "checkout",
        name: `${m.provider}.chat`,
        startMs: checkoutStart + 150 + c * 200,
        durationMs: 100 + Math.floor(rand() * 600),
        attributes: {
          "gen_ai.system": m.provider,
          "gen_ai.request.model": m.model,
          "gen_ai.response.model": m.model,
          "gen_ai.usage.input_tokens": input,
          "gen_ai.usage.output_tokens": output,
        },
        ...(limited ? { error: true, exception: { type: "RateLimitError", message: `Rate limit reached for ${m.model} in organization org-${hex(rand, 8)} on tokens per min. Limit 30000, Used ${29000 + i}, Requested ${input}.` } } : {}),
      });
    }
    // An agent tool call, sometimes failing.
    const toolFails = i % 5 === 1;
    spans.push({
      id: id(),
      parent: checkoutId,
      service: "checkout",
      name: "search_flights.tool",
      startMs: checkoutStart + 30,
      durationMs: 40 + Math.floor(rand() * 100),
      attributes: { "traceloop.span.kind": "tool" },
      ...(toolFails ? { error: true, exception: { type: "ToolError", message: `tool search_flights returned malformed JSON at position ${i * 3}` } } : {}),
    });
    built.set(traceId, spans);
    traces.push(toTrace(traceId, spans));
  }
  return { traces, built };
}

/** All built spans of the dataset with their trace id. */
export function allSpans(ds: AnalyticsDataset): Array<BuiltSpan & { traceId: string }> {
  return [...ds.built.entries()].flatMap(([traceId, spans]) => spans.map((s) => ({ ...s, traceId })));
}

/** Linear-interpolation percentile, written out here (independent of src/analytics/stats.ts). */
export function pctl(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const pos = (v.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo]! + (v[hi]! - v[lo]!) * (pos - lo);
}

export type { Span };
