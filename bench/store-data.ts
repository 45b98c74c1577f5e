/**
 * A deterministic stream of LLM-application spans for the store benchmark: traces of ten spans
 * (a server root, three LLM calls, tool and HTTP/db children), 30% of spans LLM calls across eight
 * models and four providers, eight services, about 1% errors. Traces start one after another, as
 * live ingest delivers them, spread over the `spanMs` before `endMs`.
 */
import { mulberry32 } from "../src/demo/plan.js";
import { createSpan, type Span } from "../src/domain/trace.js";

export const BENCH_SERVICES = ["chat-gateway", "agent", "retriever", "tool-runner", "billing", "search", "profile", "notifier"] as const;
export const BENCH_MODELS = [
  ["openai", "gpt-4o", "gpt-4o-2024-08-06"],
  ["openai", "gpt-4o-mini", "gpt-4o-mini-2024-07-18"],
  ["openai", "o3-mini", "o3-mini-2025-01-31"],
  ["anthropic", "claude-3-5-sonnet", "claude-3-5-sonnet-20241022"],
  ["anthropic", "claude-3-5-haiku", "claude-3-5-haiku-20241022"],
  ["cohere", "command-r-plus", "command-r-plus"],
  ["mistral", "mistral-large-latest", "mistral-large-2411"],
  ["openai", "text-embedding-3-small", "text-embedding-3-small"],
] as const;

const SPANS_PER_TRACE = 10;

export class BenchSpans {
  private readonly rand: () => number;
  private trace = 0;

  constructor(
    seed: number,
    private readonly totalSpans: number,
    private readonly endMs: number,
    private readonly spanMs: number,
  ) {
    this.rand = mulberry32(seed);
  }

  private hex(chars: number): string {
    let out = "";
    while (out.length < chars) out += Math.floor(this.rand() * 0x100000000).toString(16).padStart(8, "0");
    return out.slice(0, chars);
  }

  private int(max: number): number {
    return Math.floor(this.rand() * max);
  }

  /** The next `n` spans (whole traces). */
  next(n: number): Span[] {
    const out: Span[] = [];
    while (out.length < n) out.push(...this.nextTrace());
    return out;
  }

  private nextTrace(): Span[] {
    const traces = this.totalSpans / SPANS_PER_TRACE;
    const t0Us = Math.floor((this.endMs - this.spanMs + (this.trace / traces) * this.spanMs) * 1000);
    this.trace++;
    const traceId = this.hex(32);
    const rootId = this.hex(16);
    const service = BENCH_SERVICES[this.int(BENCH_SERVICES.length)]!;
    const spans: Span[] = [];
    let cursor = t0Us + 200;
    const error = this.rand() < 0.01;
    for (let i = 1; i < SPANS_PER_TRACE; i++) {
      const llm = i % 3 === 1; // 3 of 9 children: 30% of all spans
      const durationUs = llm ? 200_000 + this.int(3_000_000) : 1_000 + this.int(80_000);
      let attributes: Record<string, unknown>;
      let name: string;
      if (llm) {
        const [system, request, response] = BENCH_MODELS[this.int(BENCH_MODELS.length)]!;
        const prompt = 50 + this.int(2000);
        const completion = 10 + this.int(600);
        name = `${system}.chat`;
        attributes = {
          "gen_ai.system": system,
          "gen_ai.request.model": request,
          "gen_ai.response.model": response,
          "gen_ai.operation.name": "chat",
          "gen_ai.usage.prompt_tokens": prompt,
          "gen_ai.usage.completion_tokens": completion,
          "gen_ai.usage.total_tokens": prompt + completion,
          "gen_ai.response.finish_reasons": ["stop"],
          "gen_ai.prompt.0.content": `Summarise the customer's last ${prompt % 20} orders and suggest a follow-up.`,
          "user.id": `user-${this.int(500)}`,
          "gen_ai.conversation.id": `conv-${this.int(5000)}`,
        };
      } else {
        name = i % 3 === 2 ? "tool.lookup" : "SELECT orders";
        attributes = i % 3 === 2 ? { "traceloop.span.kind": "tool", "traceloop.entity.name": "lookup" } : { "db.system": "postgresql", "db.statement": "SELECT * FROM orders WHERE id = $1" };
      }
      spans.push(
        createSpan({
          traceId,
          spanId: this.hex(16),
          parentSpanId: rootId,
          operationName: name,
          serviceName: llm ? service : BENCH_SERVICES[this.int(BENCH_SERVICES.length)]!,
          startTimeUs: cursor,
          durationMs: durationUs / 1000,
          status: error && i === 1 ? "ERROR" : "UNSET",
          attributes,
          kind: llm ? "CLIENT" : "INTERNAL",
          resourceAttributes: { "service.version": "1.4.2", "deployment.environment": "prod" },
          scope: { name: "opentelemetry.instrumentation.openai", version: "0.33.0" },
        }),
      );
      cursor += durationUs + 100;
    }
    spans.unshift(
      createSpan({
        traceId,
        spanId: rootId,
        parentSpanId: null,
        operationName: "POST /chat",
        serviceName: service,
        startTimeUs: t0Us,
        durationMs: (cursor - t0Us) / 1000,
        status: error ? "ERROR" : "OK",
        attributes: { "http.request.method": "POST", "http.route": "/chat", "http.response.status_code": error ? 500 : 200 },
        kind: "SERVER",
        resourceAttributes: { "service.version": "1.4.2", "deployment.environment": "prod" },
      }),
    );
    return spans;
  }
}
