/**
 * A deterministic dataset of LLM-application traces in domain form. Each backend's fake server
 * (a "world") renders it in its own wire format, so every adapter is tested against the same
 * data and the same expected answers.
 */
import { mulberry32 } from "../../src/demo/plan.js";
import { assembleTrace, createSpan, type Span, type Trace } from "../../src/domain/trace.js";

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
