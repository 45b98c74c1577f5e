/**
 * Expected tool answers computed straight from the demo plan, independently of the server's
 * code (nothing from src/genai, src/tools or src/domain is used): the conventions' call and token
 * rules, provider names, model naming, percentiles and orderings are re-derived here from the
 * documented behaviour.
 */
import type { DemoPlan, DemoSpan, DemoTrace } from "../../src/demo/types.js";

export interface Tokens {
  prompt: number;
  completion: number;
  total: number;
}

/**
 * The LLM-call view of a demo span, re-derived from the conventions' documented rules for exactly the
 * shapes the demo emits (src/demo/llm-calls.ts), without the server's normaliser:
 * - AI SDK: only ai.*.doGenerate / .doStream are calls (their ai.generateText / ai.streamText wrappers
 *   repeat the usage); AI SDK 5 Anthropic inputTokens / totalTokens exclude the cachedInputTokens;
 * - OpenInference: LLM and EMBEDDING spans, llm.token_count.*;
 * - LiteLLM: litellm_request spans (hidden_params), gen_ai.usage.* in OpenAI format;
 * - OTel GenAI: gen_ai.provider.name chat spans (invoke_agent carries its children's usage: not a call);
 *   no recorded total, so total = input + output (input includes the cache, output the reasoning);
 * - older OTel (gen_ai.system without llm.request.type): both token spellings, recorded total;
 * - OpenLLMetry: gen_ai.system + llm.request.type; total recorded, else prompt + completion (cache and
 *   reasoning counters are already inside prompt/completion).
 * Providers are the semconv well-known values: the demo's raw spellings map as PROVIDERS says.
 */
export interface View {
  convention: "vercel_ai" | "openinference" | "litellm" | "otel_genai" | "openllmetry";
  provider: string;
  request?: string;
  response?: string;
  prompt: number;
  completion: number;
  total: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
  finish?: string[];
  streaming: boolean;
  temperature?: number;
  maxTokens?: number;
}

/** The demo's raw provider spellings -> gen_ai.provider.name well-known values. */
const PROVIDERS: Record<string, string> = {
  openai: "openai",
  "openai.chat": "openai",
  anthropic: "anthropic",
  "anthropic.messages": "anthropic",
  cohere: "cohere",
  cohere_chat: "cohere",
  MistralAI: "mistral_ai",
  mistral_ai: "mistral_ai",
};

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

const str = (s: DemoSpan, k: string): string | undefined => {
  const v = s.attributes[k];
  return typeof v === "string" && v !== "" ? v : undefined;
};
const numAttr = (s: DemoSpan, k: string): number | undefined => (typeof s.attributes[k] === "number" ? (s.attributes[k] as number) : undefined);
const provider = (raw: unknown): string => PROVIDERS[String(raw)] ?? String(raw);
const opt = <T>(k: string, v: T | undefined): Record<string, T> => (v === undefined ? {} : { [k]: v });

function make(convention: View["convention"], s: DemoSpan, rawProvider: unknown, fields: Omit<View, "convention" | "provider" | "cacheRead" | "cacheWrite" | "reasoning" | "streaming"> & Partial<View>): View {
  return { convention, provider: provider(rawProvider), cacheRead: 0, cacheWrite: 0, reasoning: 0, streaming: false, ...fields };
}

export function view(s: DemoSpan): View | undefined {
  const a = s.attributes;
  const op = str(s, "ai.operationId");
  if (op !== undefined) {
    if (!op.endsWith(".doGenerate") && !op.endsWith(".doStream")) return undefined;
    const completion = firstNonZero(s, ["ai.usage.outputTokens", "ai.usage.completionTokens"]);
    const cached = intAttr(s, "ai.usage.cachedInputTokens");
    const anthropicV5 = String(a["ai.model.provider"]).startsWith("anthropic");
    const prompt = firstNonZero(s, ["ai.usage.inputTokens", "ai.usage.promptTokens"]) + (anthropicV5 ? cached : 0);
    const recorded = intAttr(s, "ai.usage.totalTokens");
    return make("vercel_ai", s, a["ai.model.provider"], {
      ...opt("request", str(s, "ai.model.id")),
      ...opt("response", str(s, "ai.response.model")),
      prompt,
      completion,
      total: recorded ? recorded + (anthropicV5 ? cached : 0) : prompt + completion,
      cacheRead: cached,
      finish: [String(a["ai.response.finishReason"])],
      streaming: op.endsWith(".doStream"),
      ...opt("temperature", numAttr(s, "gen_ai.request.temperature")),
    });
  }
  const kind = a["openinference.span.kind"];
  if (kind !== undefined) {
    if (kind !== "LLM" && kind !== "EMBEDDING") return undefined;
    const model = str(s, "llm.model_name") ?? str(s, "embedding.model_name");
    const params = typeof a["llm.invocation_parameters"] === "string" ? (JSON.parse(a["llm.invocation_parameters"]) as { temperature?: number; max_tokens?: number; stream?: boolean }) : {};
    const prompt = intAttr(s, "llm.token_count.prompt");
    const completion = intAttr(s, "llm.token_count.completion");
    return make("openinference", s, a["llm.provider"] ?? a["llm.system"], {
      ...opt("request", model),
      ...opt("response", model),
      prompt,
      completion,
      total: intAttr(s, "llm.token_count.total") || prompt + completion,
      cacheRead: intAttr(s, "llm.token_count.prompt_details.cache_read"),
      ...opt("finish", str(s, "llm.finish_reason") ? [str(s, "llm.finish_reason")!] : undefined),
      streaming: params.stream === true,
      ...opt("temperature", params.temperature),
      ...opt("maxTokens", params.max_tokens),
    });
  }
  if (typeof a["hidden_params"] === "string") {
    const prompt = intAttr(s, "gen_ai.usage.input_tokens");
    const completion = intAttr(s, "gen_ai.usage.output_tokens");
    return make("litellm", s, a["gen_ai.system"], {
      ...opt("request", str(s, "gen_ai.request.model")),
      ...opt("response", str(s, "gen_ai.response.model")),
      prompt,
      completion,
      total: intAttr(s, "gen_ai.usage.total_tokens") || prompt + completion,
      finish: JSON.parse(String(a["gen_ai.response.finish_reasons"])) as string[],
      streaming: a["llm.is_streaming"] === "True",
      ...opt("maxTokens", numAttr(s, "gen_ai.request.max_tokens")),
    });
  }
  if (typeof a["gen_ai.provider.name"] === "string") {
    if (a["gen_ai.operation.name"] !== "chat") return undefined;
    const prompt = intAttr(s, "gen_ai.usage.input_tokens");
    const completion = intAttr(s, "gen_ai.usage.output_tokens");
    return make("otel_genai", s, a["gen_ai.provider.name"], {
      ...opt("request", str(s, "gen_ai.request.model")),
      ...opt("response", str(s, "gen_ai.response.model")),
      prompt,
      completion,
      total: prompt + completion,
      cacheRead: intAttr(s, "gen_ai.usage.cache_read.input_tokens"),
      cacheWrite: intAttr(s, "gen_ai.usage.cache_write.input_tokens"),
      reasoning: intAttr(s, "gen_ai.usage.reasoning.output_tokens"),
      ...opt("finish", Array.isArray(a["gen_ai.response.finish_reasons"]) ? (a["gen_ai.response.finish_reasons"] as string[]) : undefined),
      streaming: a["gen_ai.request.stream"] === true,
      ...opt("temperature", numAttr(s, "gen_ai.request.temperature")),
      ...opt("maxTokens", numAttr(s, "gen_ai.request.max_tokens")),
    });
  }
  if (typeof a["gen_ai.system"] !== "string") return undefined;
  const prompt = firstNonZero(s, ["gen_ai.usage.prompt_tokens", "gen_ai.usage.input_tokens", "llm.usage.prompt_tokens", "llm.usage.input_tokens"]);
  const completion = firstNonZero(s, ["gen_ai.usage.completion_tokens", "gen_ai.usage.output_tokens", "llm.usage.completion_tokens", "llm.usage.output_tokens"]);
  const total = firstNonZero(s, ["gen_ai.usage.total_tokens", "llm.usage.total_tokens"]) || prompt + completion;
  const choice = s.events.find((e) => e.name === "gen_ai.choice");
  const finish = Array.isArray(a["gen_ai.response.finish_reasons"])
    ? (a["gen_ai.response.finish_reasons"] as string[])
    : choice
      ? [String(choice.attributes.finish_reason)]
      : undefined;
  return make(a["llm.request.type"] === undefined ? "otel_genai" : "openllmetry", s, a["gen_ai.system"], {
    ...opt("request", str(s, "gen_ai.request.model")),
    ...opt("response", str(s, "gen_ai.response.model")),
    prompt,
    completion,
    total,
    cacheRead: intAttr(s, "gen_ai.usage.cache_read_input_tokens"),
    cacheWrite: intAttr(s, "gen_ai.usage.cache_creation_input_tokens"),
    reasoning: intAttr(s, "gen_ai.usage.reasoning_tokens"),
    ...opt("finish", finish),
    streaming: a["gen_ai.request.is_streaming"] === true,
    ...opt("temperature", numAttr(s, "gen_ai.request.temperature")),
    ...opt("maxTokens", numAttr(s, "gen_ai.request.max_tokens")),
  });
}

export const isLlm = (s: DemoSpan): boolean => view(s) !== undefined;

/** Prompt, completion and total tokens of one call (0 when not a call). */
export function spanTokens(s: DemoSpan): Tokens {
  const v = view(s);
  return v ? { prompt: v.prompt, completion: v.completion, total: v.total } : { prompt: 0, completion: 0, total: 0 };
}

/** "Actual model first": usage, model lists, model stats, expensive/slow. */
export const responseFirstModel = (s: DemoSpan): string => view(s)?.response ?? view(s)?.request ?? "unknown";
/** "Requested model first": get_trace models_used, find_errors llm_model. */
export const requestFirstModel = (s: DemoSpan): string | null => view(s)?.request ?? view(s)?.response ?? null;

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
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
}

export function usage(traces: DemoTrace[]): { summary: UsageRow; byModel: Record<string, UsageRow>; byService: Record<string, UsageRow> } {
  const blank = (): UsageRow => ({ requests: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 });
  const summary = blank();
  const byModel: Record<string, UsageRow> = {};
  const byService: Record<string, UsageRow> = {};
  for (const t of traces)
    for (const s of llmSpans(t)) {
      const v = view(s)!;
      for (const row of [summary, (byModel[responseFirstModel(s)] ??= blank()), (byService[s.service] ??= blank())]) {
        row.requests += 1;
        row.prompt_tokens += v.prompt;
        row.completion_tokens += v.completion;
        row.total_tokens += v.total;
        row.cache_read_tokens += v.cacheRead;
        row.cache_write_tokens += v.cacheWrite;
        row.reasoning_tokens += v.reasoning;
      }
    }
  return { summary, byModel, byService };
}

export function modelCounts(traces: DemoTrace[]): Map<string, { provider: string; requests: number }> {
  const out = new Map<string, { provider: string; requests: number }>();
  for (const t of traces)
    for (const s of llmSpans(t)) {
      const m = responseFirstModel(s);
      const row = out.get(m) ?? { provider: view(s)!.provider, requests: 0 };
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
  const spans = traces.flatMap(llmSpans).filter((s) => view(s)!.response === model || view(s)!.request === model);
  const errors = spans.filter((s) => s.status.code === "ERROR").length;
  const tok = spans.map(spanTokens);
  const finish: Record<string, number> = {};
  for (const s of spans) for (const r of view(s)!.finish ?? []) finish[r] = (finish[r] ?? 0) + 1;
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
        out.llm_provider = view(s)!.provider;
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

/** The tool name of a demo tool span (OpenLLMetry traceloop tool, or OTel execute_tool), else undefined. */
export function toolName(s: DemoSpan): string | undefined {
  if (s.attributes["traceloop.span.kind"] === "tool") return str(s, "traceloop.entity.name");
  if (s.attributes["gen_ai.operation.name"] === "execute_tool") return str(s, "gen_ai.tool.name");
  return undefined;
}

export function toolUsage(spans: DemoSpan[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of spans) {
    const name = toolName(s);
    if (name) out.set(name, (out.get(name) ?? 0) + 1);
  }
  return out;
}
