/**
 * Expected tool answers computed straight from the demo plan, independently of the server's
 * code (nothing from src/genai, src/tools or src/domain is used): the token rules, model
 * naming, percentiles and orderings are re-derived here from the documented behaviour.
 */
import type { DemoPlan, DemoSpan, DemoTrace } from "../../src/demo/types.js";

export interface Tokens {
  prompt: number;
  completion: number;
  total: number;
}

export const isLlm = (s: DemoSpan): boolean => typeof s.attributes["gen_ai.system"] === "string";

function intAttr(s: DemoSpan, key: string): number {
  const v = s.attributes[key];
  return typeof v === "number" && Number.isInteger(v) ? v : 0;
}

function firstNonZero(s: DemoSpan, keys: string[]): number {
  for (const k of keys) {
    const v = intAttr(s, k);
    if (v) return v;
  }
  return 0;
}

/** The documented token rule: first non-zero spelling; total, else the deduplicated usage sum, else prompt+completion. */
export function spanTokens(s: DemoSpan): Tokens {
  const prompt = firstNonZero(s, ["gen_ai.usage.prompt_tokens", "gen_ai.usage.input_tokens", "llm.usage.prompt_tokens", "llm.usage.input_tokens"]);
  const completion = firstNonZero(s, ["gen_ai.usage.completion_tokens", "gen_ai.usage.output_tokens", "llm.usage.completion_tokens", "llm.usage.output_tokens"]);
  let total = firstNonZero(s, ["gen_ai.usage.total_tokens", "llm.usage.total_tokens"]);
  if (!total) {
    let sum = 0;
    for (const [k, v] of Object.entries(s.attributes)) {
      if (!k.startsWith("gen_ai.usage.") || k === "gen_ai.usage.total_tokens") continue;
      if (typeof v !== "number" || !Number.isInteger(v)) continue;
      if (k === "gen_ai.usage.input_tokens" && "gen_ai.usage.prompt_tokens" in s.attributes) continue;
      if (k === "gen_ai.usage.output_tokens" && "gen_ai.usage.completion_tokens" in s.attributes) continue;
      sum += v;
    }
    total = sum > 0 ? sum : prompt + completion;
  }
  return { prompt, completion, total };
}

const str = (s: DemoSpan, k: string): string | undefined => {
  const v = s.attributes[k];
  return typeof v === "string" && v !== "" ? v : undefined;
};

/** "Actual model first": usage, model lists, model stats, expensive/slow. */
export const responseFirstModel = (s: DemoSpan): string => str(s, "gen_ai.response.model") ?? str(s, "gen_ai.request.model") ?? "unknown";
/** "Requested model first": get_trace models_used, find_errors llm_model. */
export const requestFirstModel = (s: DemoSpan): string | null => str(s, "gen_ai.request.model") ?? str(s, "gen_ai.response.model") ?? null;

export const llmSpans = (t: DemoTrace): DemoSpan[] => t.spans.filter(isLlm);
export const traceHasErrors = (t: DemoTrace): boolean => t.spans.some((s) => s.status.code === "ERROR");
export const traceDurationMs = (t: DemoTrace): number =>
  (Math.max(...t.spans.map((s) => s.endUs)) - Math.min(...t.spans.map((s) => s.startUs))) / 1000;
export const spanDurationMs = (s: DemoSpan): number => (s.endUs - s.startUs) / 1000;
export const root = (t: DemoTrace): DemoSpan => t.spans.find((s) => s.parentSpanId === null)!;

export function traceTokens(t: DemoTrace): Tokens {
  const out = { prompt: 0, completion: 0, total: 0 };
  for (const s of llmSpans(t)) {
    const k = spanTokens(s);
    out.prompt += k.prompt;
    out.completion += k.completion;
    out.total += k.total;
  }
  return out;
}

/** Jaeger's search by service: every trace with at least one span of that service. */
export const tracesWithService = (plan: DemoPlan, service: string): DemoTrace[] => plan.traces.filter((t) => t.spans.some((s) => s.service === service));

export interface UsageRow {
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function usage(traces: DemoTrace[]): { summary: UsageRow; byModel: Record<string, UsageRow>; byService: Record<string, UsageRow> } {
  const blank = (): UsageRow => ({ requests: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  const summary = blank();
  const byModel: Record<string, UsageRow> = {};
  const byService: Record<string, UsageRow> = {};
  for (const t of traces)
    for (const s of llmSpans(t)) {
      const k = spanTokens(s);
      for (const row of [summary, (byModel[responseFirstModel(s)] ??= blank()), (byService[s.service] ??= blank())]) {
        row.requests += 1;
        row.prompt_tokens += k.prompt;
        row.completion_tokens += k.completion;
        row.total_tokens += k.total;
      }
    }
  return { summary, byModel, byService };
}

export function modelCounts(traces: DemoTrace[]): Map<string, { provider: string; requests: number }> {
  const out = new Map<string, { provider: string; requests: number }>();
  for (const t of traces)
    for (const s of llmSpans(t)) {
      const m = responseFirstModel(s);
      const row = out.get(m) ?? { provider: String(s.attributes["gen_ai.system"]), requests: 0 };
      row.requests += 1;
      out.set(m, row);
    }
  return out;
}

/** numpy "linear": index = (n-1)p, interpolate between the neighbours. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const v = [...values].sort((a, b) => a - b);
  const idx = (v.length - 1) * p;
  const lo = Math.floor(idx);
  const hi = Math.min(lo + 1, v.length - 1);
  const w = idx - lo;
  return v[lo]! * (1 - w) + v[hi]! * w;
}

export function stats(values: number[]): { mean: number; median: number; p50: number; p95: number; p99: number } {
  if (values.length === 0) return { mean: 0, median: 0, p50: 0, p95: 0, p99: 0 };
  const p50 = percentile(values, 0.5);
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, median: p50, p50, p95: percentile(values, 0.95), p99: percentile(values, 0.99) };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Model stats match a span when the model answered OR was requested under that name. */
export function modelStats(traces: DemoTrace[], model: string) {
  const spans = traces.flatMap(llmSpans).filter((s) => str(s, "gen_ai.response.model") === model || str(s, "gen_ai.request.model") === model);
  const errors = spans.filter((s) => s.status.code === "ERROR").length;
  const tok = spans.map(spanTokens);
  const finish: Record<string, number> = {};
  for (const s of spans) {
    const fr = s.attributes["gen_ai.response.finish_reasons"];
    if (Array.isArray(fr)) for (const r of fr) finish[r] = (finish[r] ?? 0) + 1;
  }
  const n = spans.length;
  return {
    model,
    request_count: n,
    success_count: n - errors,
    error_count: errors,
    success_rate: n ? round2(((n - errors) / n) * 100) : 0,
    error_rate: n ? round2((errors / n) * 100) : 0,
    duration_ms: stats(spans.map(spanDurationMs)),
    tokens: {
      prompt: stats(tok.map((k) => k.prompt).filter(Boolean)),
      completion: stats(tok.map((k) => k.completion).filter(Boolean)),
      total: stats(tok.map((k) => k.total).filter(Boolean)),
    },
    finish_reasons: Object.keys(finish).length ? finish : null,
  };
}

export const sortedModels = (t: DemoTrace): string[] => [...new Set(llmSpans(t).map(responseFirstModel))].sort();

export interface ExpectedErrorSpan {
  span_id: string;
  operation_name: string;
  service_name: string;
  status: "ERROR";
  error_message: string;
  error_type?: string;
  stack_trace?: string;
  is_llm_error?: true;
  llm_provider?: string | null;
  llm_model?: string | null;
}

/**
 * What find_errors reports per error span: message from attributes, else the OpenTelemetry
 * `exception` event, else the status description; type from error.type, else the event.
 */
export function errorSpans(t: DemoTrace): ExpectedErrorSpan[] {
  return t.spans
    .filter((s) => s.status.code === "ERROR")
    .map((s) => {
      const exception = s.events.find((e) => e.name === "exception");
      const ev = (k: string): string | undefined => (exception && typeof exception.attributes[k] === "string" ? String(exception.attributes[k]) : undefined);
      const out: ExpectedErrorSpan = {
        span_id: s.spanId,
        operation_name: s.name,
        service_name: s.service,
        status: "ERROR",
        error_message: str(s, "error.message") ?? str(s, "exception.message") ?? ev("exception.message") ?? s.status.message ?? "Unknown error",
      };
      const type = str(s, "error.type") ?? str(s, "exception.type") ?? ev("exception.type");
      if (type) out.error_type = type;
      const stackTrace = ev("exception.stacktrace");
      if (stackTrace) out.stack_trace = stackTrace.length > 500 ? `${stackTrace.slice(0, 500)}...` : stackTrace;
      if (isLlm(s)) {
        out.is_llm_error = true;
        out.llm_provider = str(s, "gen_ai.system") ?? null;
        out.llm_model = requestFirstModel(s);
      }
      return out;
    });
}

/**
 * find_errors for a service: the traces Jaeger returns for the service (any span of it) that
 * contain an ERROR span anywhere. (Jaeger v2's memory store cannot search by status: its
 * error=true tag arrives as a string and matches nothing, so the status check must run locally.)
 */
export const errorTracesOfService = (plan: DemoPlan, service: string): DemoTrace[] =>
  tracesWithService(plan, service).filter(traceHasErrors);

/** ISO 8601 UTC with microseconds (omitted when zero), as the tools render times. */
export function isoUs(epochUs: number): string {
  const head = new Date(Math.floor(epochUs / 1000)).toISOString().slice(0, 19);
  const micros = epochUs % 1_000_000;
  return micros === 0 ? `${head}Z` : `${head}.${String(micros).padStart(6, "0")}Z`;
}

export function toolUsage(spans: DemoSpan[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of spans) if (s.attributes["traceloop.span.kind"] === "tool") out.set(s.name, (out.get(s.name) ?? 0) + 1);
  return out;
}
