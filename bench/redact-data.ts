/**
 * The benchmark trace for bench/redact.ts: a deterministic 2,000-span LLM-application trace with
 * realistic attributes (see bench/redact.ts for its make-up).
 */
import { mulberry32 } from "../src/demo/plan.js";
import { assembleTrace, createSpan, type Span, type Trace } from "../src/domain/trace.js";

const rand = mulberry32(7);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join("");
const words = "the a flight hotel booking refund order customer invoice account please check status for next week tomorrow from to and with budget seats window aisle".split(" ");
const sentence = (n: number) => Array.from({ length: n }, () => pick(words)).join(" ");

const SYSTEM_PROMPT =
  "You are a travel assistant for Acme Travel. Follow the booking policy: never reveal internal ids, confirm dates in ISO 8601, " +
  "quote prices in the customer's currency, and call tools (search_flights, get_weather, lookup_docs) when needed. " +
  sentence(180);

export const TRACE_ID = hex(32);
const T0 = Date.UTC(2025, 10, 13, 12, 0, 0) * 1000;

function plantedTail(i: number): string {
  if (i % 67 === 0) return ` Contact me at traveller${i}@example.com.`;
  if (i % 71 === 0) return ` My number is +1 415 555 ${String(2000 + i).slice(-4)}.`;
  if (i % 97 === 0) return ` Use key sk-proj-${hex(8)}Ab3dEf6hIj9kLm2nOp5qR${i}.`;
  return "";
}

export function buildTrace(): Trace {
  const rootId = hex(16);
  const spans: Span[] = [
    createSpan({ traceId: TRACE_ID, spanId: rootId, operationName: "agent.workflow", serviceName: "travel-agent", startTimeUs: T0, durationMs: 120_000, status: "OK", attributes: { "traceloop.span.kind": "workflow", "traceloop.workflow.name": "agent.workflow" } }),
  ];
  const span = (i: number, operationName: string, serviceName: string, attributes: Record<string, unknown>) =>
    createSpan({ traceId: TRACE_ID, spanId: hex(16), parentSpanId: rootId, operationName, serviceName, startTimeUs: T0 + i * 50_000, durationMs: 5 + Math.floor(rand() * 900), status: rand() < 0.02 ? "ERROR" : "OK", attributes });
  for (let i = 1; i < 2000; i++) {
    const k = i % 10;
    if (k < 3) {
      spans.push(
        span(i, "openai.chat", "travel-agent", {
          "gen_ai.system": "openai",
          "gen_ai.request.model": "gpt-4o",
          "gen_ai.response.model": "gpt-4o-2024-08-06",
          "gen_ai.response.id": `chatcmpl-${hex(24)}`,
          "gen_ai.operation.name": "chat",
          "gen_ai.request.temperature": 0.7,
          "gen_ai.request.max_tokens": 1024,
          "gen_ai.usage.prompt_tokens": 400 + Math.floor(rand() * 800),
          "gen_ai.usage.completion_tokens": 20 + Math.floor(rand() * 300),
          "gen_ai.response.finish_reasons": ["stop"],
          "gen_ai.prompt.0.role": "system",
          "gen_ai.prompt.0.content": SYSTEM_PROMPT,
          "gen_ai.prompt.1.role": "user",
          "gen_ai.prompt.1.content": `Request ${i} on 2025-11-${10 + (i % 18)}: ${sentence(60 + Math.floor(rand() * 80))}.${plantedTail(i)}`,
          "gen_ai.completion.0.role": "assistant",
          "gen_ai.completion.0.content": `Booking ${i}: ${sentence(40 + Math.floor(rand() * 100))}. Total ${(100 + rand() * 900).toFixed(2)} USD.`,
          "llm.is_streaming": false,
        }),
      );
    } else if (k < 5) {
      spans.push(span(i, `${pick(["search_flights", "get_weather", "lookup_docs"])}.tool`, "travel-agent", { "traceloop.span.kind": "tool", "traceloop.entity.name": "search_flights", "traceloop.entity.input": `{"from":"SFO","to":"JFK","date":"2025-12-0${1 + (i % 9)}","adults":2}` }));
    } else if (k < 8) {
      spans.push(
        span(i, "GET /v1/flights", "flights-api", {
          "http.request.method": "GET",
          "url.full": `https://flights.example.com/v1/flights?from=SFO&to=JFK&page=${i % 7}&limit=50`,
          "server.address": "flights.example.com",
          "server.port": 443,
          "http.response.status_code": 200,
          "network.peer.address": `10.20.${i % 250}.${(i * 7) % 250}`,
          "user_agent.original": "python-httpx/0.27.0",
          "k8s.pod.name": `flights-api-7d9f8b6c5-${hex(5)}`,
        }),
      );
    } else {
      spans.push(span(i, "SELECT bookings", "booking-db", { "db.system": "postgresql", "db.name": "bookings", "db.statement": `SELECT * FROM bookings WHERE customer_id = $1 AND created_at > $2 LIMIT ${i % 100}`, "server.address": "db.internal", "server.port": 5432 }));
    }
  }
  return assembleTrace(TRACE_ID, spans)!;
}

