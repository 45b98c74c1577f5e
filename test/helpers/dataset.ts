/**
 * A deterministic dataset of LLM-application traces in domain form. Each backend's fake server
 * (a "world") renders it in its own wire format, so every adapter is tested against the same
 * data and the same expected answers.
 */
import { mulberry32 } from "../../src/demo/plan.js";
import { assembleTrace, createSpan, type Span, type SpanInit, type Trace } from "../../src/domain/trace.js";

/** Seeded PRNG so datasets are reproducible: the demo generator's own. */
export const rng = mulberry32;

function hex(rand: () => number, chars: number): string {
  let out = "";
  while (out.length < chars) out += Math.floor(rand() * 0x100000000).toString(16).padStart(8, "0");
  return out.slice(0, chars);
}

export const MODELS = [
  { system: "openai", request: "gpt-4o", response: "gpt-4o-2024-08-06" },
  { system: "openai", request: "gpt-4o-mini", response: "gpt-4o-mini-2024-07-18" },
  { system: "anthropic", request: "claude-3-5-sonnet", response: "claude-3-5-sonnet-20241022" },
  { system: "cohere", request: "command-r", response: "command-r" },
] as const;

export const SERVICES = ["chat-api", "travel-agent", "rag-worker"] as const;
export const TOOLS = ["search_flights", "get_weather", "lookup_docs"] as const;

export interface DatasetOptions {
  seed?: number;
  traces?: number;
  /** Epoch ms of the first trace. */
  startMs?: number;
  /** Extra spans per trace (HTTP/db children) to reach a target size. */
  fillerSpans?: number;
}

export const DATASET_START_MS = Date.UTC(2025, 10, 13, 12, 0, 0);

/**
 * Generates traces: root "agent.workflow" span (service from SERVICES), 1-3 LLM calls
 * (gen_ai.* attributes, prompt/completion/total tokens, cache reads on Anthropic calls, finish reasons), 0-2 tool spans
 * (traceloop.span.kind=tool), an HTTP child; every 5th trace has an ERROR LLM span with
 * error.type / error.message.
 */
export function generateDataset(options: DatasetOptions = {}): Trace[] {
  const rand = rng(options.seed ?? 42);
  const count = options.traces ?? 12;
  const start = options.startMs ?? DATASET_START_MS;
  const traces: Trace[] = [];
  for (let i = 0; i < count; i++) {
    const traceId = hex(rand, 32);
    const service = SERVICES[i % SERVICES.length]!;
    const t0Us = (start + i * 60_000) * 1000 + Math.floor(rand() * 1000);
    const rootId = hex(rand, 16);
    const spans: Span[] = [];
    let cursorUs = t0Us + 1000;
    const llmCalls = 1 + (i % 3);
    for (let j = 0; j < llmCalls; j++) {
      const model = MODELS[(i + j) % MODELS.length]!;
      const prompt = 50 + Math.floor(rand() * 900);
      const completion = 10 + Math.floor(rand() * 400);
      const durationMs = 200 + Math.floor(rand() * 3000) + (i === 7 ? 20_000 : 0);
      const isError = i % 5 === 4 && j === 0;
      spans.push(
        createSpan({
          traceId,
          spanId: hex(rand, 16),
          parentSpanId: rootId,
          operationName: `${model.system}.chat`,
          serviceName: service,
          startTimeUs: cursorUs,
          durationMs,
          status: isError ? "ERROR" : "OK",
          attributes: {
            "gen_ai.system": model.system,
            "gen_ai.request.model": model.request,
            ...(isError ? {} : { "gen_ai.response.model": model.response }),
            "gen_ai.operation.name": "chat",
            "gen_ai.request.temperature": 0.7,
            "gen_ai.request.max_tokens": 1024,
            "gen_ai.usage.prompt_tokens": isError ? 0 : prompt,
            "gen_ai.usage.completion_tokens": isError ? 0 : completion,
            ...(isError ? {} : { "gen_ai.usage.total_tokens": prompt + completion }),
            // Anthropic calls read half their prompt from the prompt cache (counted inside prompt_tokens).
            ...(isError || model.system !== "anthropic" ? {} : { "gen_ai.usage.cache_read_input_tokens": Math.floor(prompt / 2) }),
            ...(isError ? {} : { "gen_ai.response.finish_reasons": [j === llmCalls - 1 ? "stop" : "tool_calls"] }),
            "gen_ai.prompt.0.content": `Plan step ${j} for request ${i}`,
            "llm.is_streaming": false,
            ...(isError ? { "error.type": "RateLimitError", "error.message": "Rate limit exceeded: retry after 20s" } : {}),
          },
          events: isError
            ? [{ name: "exception", timestamp: cursorUs, attributes: { "exception.type": "RateLimitError", "exception.message": "Rate limit exceeded" } }]
            : [],
        }),
      );
      cursorUs += durationMs * 1000 + 500;
      if (j < llmCalls - 1) {
        const tool = TOOLS[(i + j) % TOOLS.length]!;
        const toolMs = 20 + Math.floor(rand() * 300);
        spans.push(
          createSpan({
            traceId,
            spanId: hex(rand, 16),
            parentSpanId: rootId,
            operationName: `${tool}.tool`,
            serviceName: service,
            startTimeUs: cursorUs,
            durationMs: toolMs,
            status: "OK",
            attributes: { "traceloop.span.kind": "tool", "traceloop.entity.name": tool },
          }),
        );
        cursorUs += toolMs * 1000 + 500;
      }
    }
    const httpMs = 5 + Math.floor(rand() * 50);
    spans.push(
      createSpan({
        traceId,
        spanId: hex(rand, 16),
        parentSpanId: rootId,
        operationName: "GET /api/profile",
        serviceName: "profile-svc",
        startTimeUs: cursorUs,
        durationMs: httpMs,
        status: "UNSET",
        attributes: { "http.request.method": "GET", "http.response.status_code": 200, "span.kind": "client" },
      }),
    );
    cursorUs += httpMs * 1000;
    for (let k = 0; k < (options.fillerSpans ?? 0); k++) {
      spans.push(
        createSpan({
          traceId,
          spanId: hex(rand, 16),
          parentSpanId: rootId,
          operationName: k % 2 ? "SELECT users" : "redis GET",
          serviceName: "profile-svc",
          startTimeUs: t0Us + 500 + k,
          durationMs: 1 + (k % 7),
          status: "UNSET",
          attributes: { "db.system": k % 2 ? "postgresql" : "redis" },
        }),
      );
    }
    const root = createSpan({
      traceId,
      spanId: rootId,
      parentSpanId: null,
      operationName: "agent.workflow",
      serviceName: service,
      startTimeUs: t0Us,
      durationMs: (cursorUs - t0Us) / 1000 + 1,
      status: spans.some((s) => s.status === "ERROR") ? "ERROR" : "OK",
      attributes: { "traceloop.span.kind": "workflow", "traceloop.workflow.name": "agent.workflow" },
    });
    traces.push(assembleTrace(traceId, [root, ...spans])!);
  }
  return traces;
}

export interface EdgeTraceOptions {
  seed?: number;
  /** Service of every edge trace's spans (the HTTP children excepted, which are profile-svc). */
  service?: string;
  /** Epoch ms of the first edge trace; the others follow a minute apart. */
  startMs?: number;
}

/** What each edge trace is there to break, by name (generateEdgeTraces returns them in this order). */
export const EDGE_CASES = ["ok-root-over-error-child", "two-roots", "clock-skew", "arbitrary-order"] as const;
export type EdgeCase = (typeof EDGE_CASES)[number];

export const EDGE_SERVICE = "edge-cases";

/**
 * Traces where the trace-level values differ from the root span's own, so a rule that reads the
 * root alone (or the first span, or trusts span order) gives a wrong answer:
 * - ok-root-over-error-child: the root is OK, an LLM child is ERROR (with error.type and an
 *   exception event, as instrumentations record it): the trace is ERROR;
 * - two-roots: two spans without a parent; the first (and earliest) is the root, and the trace
 *   runs to the end of the second root's child;
 * - clock-skew: an LLM child starts 40 ms before its parent and ends 250 ms after it, and the root
 *   is UNSET: the trace starts with the child, lasts 1290 ms, and is OK;
 * - arbitrary-order: the spans come children first, the root third, the earliest child last.
 * One LLM call has no total_tokens attribute (its total is prompt + completion). Every span is in
 * `service` except an HTTP child in profile-svc, so a service search finds each trace through
 * its root service. Expected values: test/helpers/dataset-truth.ts, never the assembled fields.
 */
export function generateEdgeTraces(options: EdgeTraceOptions = {}): Trace[] {
  const rand = rng(options.seed ?? 4242);
  const service = options.service ?? EDGE_SERVICE;
  const base = options.startMs ?? DATASET_START_MS + 30 * 60_000;
  const id = (): string => hex(rand, 16);
  const llm = (system: string, model: string, tokens: { prompt: number; completion: number; total?: number }, finished = true) => ({
    "gen_ai.system": system,
    "gen_ai.request.model": model,
    "gen_ai.response.model": model,
    "gen_ai.operation.name": "chat",
    "gen_ai.usage.prompt_tokens": tokens.prompt,
    "gen_ai.usage.completion_tokens": tokens.completion,
    ...(tokens.total !== undefined ? { "gen_ai.usage.total_tokens": tokens.total } : {}),
    ...(finished ? { "gen_ai.response.finish_reasons": ["stop"] } : {}),
  });
  const out: Trace[] = [];
  EDGE_CASES.forEach((edge, i) => {
    const traceId = hex(rand, 32);
    // Sub-millisecond starts, as real spans have.
    const t0 = (base + i * 60_000) * 1000 + 137;
    const span = (init: Omit<SpanInit, "traceId" | "serviceName"> & { serviceName?: string }): Span =>
      createSpan({ traceId, serviceName: service, ...init });
    const rootId = id();
    let spans: Span[];
    switch (edge) {
      case "ok-root-over-error-child":
        spans = [
          span({ spanId: rootId, operationName: "agent.workflow", startTimeUs: t0, durationMs: 3000, status: "OK", attributes: { "traceloop.span.kind": "workflow", "traceloop.workflow.name": "agent.workflow" } }),
          span({ spanId: id(), parentSpanId: rootId, operationName: "openai.chat", startTimeUs: t0 + 10_000, durationMs: 800, status: "OK", attributes: llm("openai", "gpt-4o", { prompt: 120, completion: 30, total: 150 }) }),
          span({
            spanId: id(),
            parentSpanId: rootId,
            operationName: "anthropic.chat",
            startTimeUs: t0 + 900_000,
            durationMs: 400,
            status: "ERROR",
            attributes: { ...llm("anthropic", "claude-3-5-sonnet", { prompt: 0, completion: 0 }, false), "error.type": "APIConnectionError", "error.message": "Connection reset by peer" },
            events: [{ name: "exception", timestamp: t0 + 1_300_000, attributes: { "exception.type": "APIConnectionError", "exception.message": "Connection reset by peer" } }],
          }),
          span({ spanId: id(), parentSpanId: rootId, operationName: "search_flights.tool", startTimeUs: t0 + 1_400_000, durationMs: 200, status: "OK", attributes: { "traceloop.span.kind": "tool", "traceloop.entity.name": "search_flights" } }),
        ];
        break;
      case "two-roots": {
        const second = id();
        spans = [
          span({ spanId: rootId, operationName: "agent.workflow", startTimeUs: t0, durationMs: 1000, status: "OK", attributes: { "traceloop.span.kind": "workflow" } }),
          span({ spanId: id(), parentSpanId: rootId, operationName: "openai.chat", startTimeUs: t0 + 100_000, durationMs: 500, status: "OK", attributes: llm("openai", "gpt-4o-mini", { prompt: 150, completion: 50 }) }),
          span({ spanId: second, operationName: "agent.followup", startTimeUs: t0 + 2_000_000, durationMs: 1500, status: "OK", attributes: { "traceloop.span.kind": "workflow" } }),
          span({ spanId: id(), parentSpanId: second, operationName: "get_weather.tool", startTimeUs: t0 + 2_100_000, durationMs: 1400, status: "OK", attributes: { "traceloop.span.kind": "tool", "traceloop.entity.name": "get_weather" } }),
        ];
        break;
      }
      case "clock-skew":
        spans = [
          span({ spanId: rootId, operationName: "agent.workflow", startTimeUs: t0, durationMs: 1000, status: "UNSET", attributes: { "traceloop.span.kind": "workflow" } }),
          span({ spanId: id(), parentSpanId: rootId, operationName: "openai.chat", startTimeUs: t0 - 40_000, durationMs: 1290, status: "OK", attributes: llm("openai", "gpt-4o", { prompt: 300, completion: 21, total: 321 }) }),
          span({ spanId: id(), parentSpanId: rootId, operationName: "GET /api/profile", serviceName: "profile-svc", startTimeUs: t0 + 200_000, durationMs: 30, status: "UNSET", attributes: { "http.request.method": "GET", "http.response.status_code": 200 } }),
        ];
        break;
      case "arbitrary-order": {
        const root = span({ spanId: rootId, operationName: "agent.workflow", startTimeUs: t0, durationMs: 2000, status: "OK", attributes: { "traceloop.span.kind": "workflow" } });
        const earliest = span({ spanId: id(), parentSpanId: rootId, operationName: "cohere.chat", startTimeUs: t0 + 5_000, durationMs: 300, status: "OK", attributes: llm("cohere", "command-r", { prompt: 70, completion: 20, total: 90 }) });
        const chat = span({ spanId: id(), parentSpanId: rootId, operationName: "openai.chat", startTimeUs: t0 + 400_000, durationMs: 700, status: "OK", attributes: llm("openai", "gpt-4o", { prompt: 400, completion: 10, total: 410 }) });
        const tool = span({ spanId: id(), parentSpanId: rootId, operationName: "lookup_docs.tool", startTimeUs: t0 + 1_200_000, durationMs: 100, status: "OK", attributes: { "traceloop.span.kind": "tool", "traceloop.entity.name": "lookup_docs" } });
        const http = span({ spanId: id(), parentSpanId: rootId, operationName: "GET /api/profile", serviceName: "profile-svc", startTimeUs: t0 + 1_400_000, durationMs: 20, status: "UNSET", attributes: { "http.request.method": "GET" } });
        spans = [tool, chat, root, http, earliest];
        break;
      }
    }
    out.push(assembleTrace(traceId, spans)!);
  });
  return out;
}
