import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  UNKNOWN_SERVICE,
  deriveStatus,
  enrichAttributes,
  oneSpanTrace,
  parseStatusCode,
  readPage,
  readTraceSpans,
  readWorkflows,
  rootInfo,
  rowToSpan,
  traceFromRows,
} from "../../src/backends/traceloop/traceloop-mapper.js";
import { parseLlmSpan, traceTotalTokens } from "../../src/genai/llm-span.js";

function fixture(name: string): { response: unknown } {
  return JSON.parse(readFileSync(new URL(`../fixtures/traceloop/${name}.json`, import.meta.url), "utf8")) as { response: unknown };
}

describe("traceloop root-spans page (recorded)", () => {
  const page = readPage(fixture("root-spans-page").response, "root_spans")!;

  it("reads the envelope", () => {
    expect(page.rows).toHaveLength(3);
    expect(page.nextCursor).toBe("1763272914648");
    expect(page.totalResults).toBe(3);
  });

  it("maps rows with the top-level service, ms timestamps and status", () => {
    const spans = page.rows.map((r) => rowToSpan(r)!);
    expect(spans.map((s) => s.serviceName)).toEqual(["travel-agent-demo2", "travel-agent-demo2", "travel-agent-demo2"]);
    const first = spans[0]!;
    expect(first).toMatchObject({
      traceId: "c4c7e548e1febe34757c208205caa53e",
      spanId: "6b3a38f23a58e2ec",
      parentSpanId: null,
      operationName: "Agent Workflow",
      startTimeUs: 1763273059770_000,
      durationMs: 68638,
      status: "OK",
    });
    expect(first.attributes).toMatchObject({ "llm.vendor": "openai_agents", "gen_ai.system": "openai_agents", "traceloop.span.kind": "workflow" });
  });

  it("builds a one-span fallback trace from a root row", () => {
    const info = rootInfo(page.rows[1])!;
    expect(info).toMatchObject({ traceId: "f53581d7de2b03275fad361fd5a2a9fe", serviceName: "travel-agent-demo2", status: "OK", timestampMs: 1763272977019 });
    const t = oneSpanTrace(info);
    expect(t).toMatchObject({ traceId: info.traceId, serviceName: "travel-agent-demo2", rootOperation: "Agent Workflow", durationMs: 80747 });
    expect(t.spans).toHaveLength(1);
  });

  it("reads the empty envelope", () => {
    expect(readPage(fixture("root-spans-empty").response, "root_spans")).toEqual({ rows: [], nextCursor: "-1", totalResults: 0 });
  });

  it("rejects a body that is not the envelope", () => {
    expect(readPage({ root_spans: "x" }, "root_spans")).toBeUndefined();
    expect(readPage([1, 2], "root_spans")).toBeUndefined();
    expect(readPage({ root_spans: { data: 3 } }, "root_spans")).toBeUndefined();
  });

  it("rejects JSON of another API (no envelope member) instead of reading it as an empty page (#6)", () => {
    expect(readPage({ status: "ok", version: "1.2" }, "root_spans")).toBeUndefined();
    expect(readPage({ spans: { data: [] } }, "root_spans")).toBeUndefined();
    expect(readPage({}, "spans")).toBeUndefined();
    expect(readPage({ root_spans: null }, "root_spans")).toEqual({ rows: [], nextCursor: undefined });
  });
});

describe("traceloop spans page", () => {
  const page = readPage(fixture("spans-page").response, "spans")!;
  const [llm, root] = page.rows.map((r) => rowToSpan(r)!);

  it("takes the service from the top-level service_name (the original read span_attributes and got '')", () => {
    expect(llm!.serviceName).toBe("travel-agent-demo2");
  });

  it("maps status codes", () => {
    expect(llm!.status).toBe("UNSET");
    expect(root!.status).toBe("ERROR");
  });

  it("enriches llm.* into gen_ai.* and coerces the string values", () => {
    const a = llm!.attributes;
    expect(a["gen_ai.system"]).toBe("openai");
    expect(a["gen_ai.request.model"]).toBe("gpt-4o-mini");
    expect(a["gen_ai.response.model"]).toBe("gpt-4o-mini-2024-07-18");
    expect(a["gen_ai.usage.prompt_tokens"]).toBe(579);
    expect(a["gen_ai.usage.completion_tokens"]).toBe(223);
    expect(a["gen_ai.usage.total_tokens"]).toBe(802);
    expect(a["llm.usage.prompt_tokens"]).toBe(579);
    expect(a["gen_ai.request.temperature"]).toBe(0.7);
    expect(a["gen_ai.request.is_streaming"]).toBe(false);
    expect(a["gen_ai.response.finish_reasons"]).toEqual(["stop"]);
    expect(a["gen_ai.prompt.0.content"]).toBe("You are a travel agent.");
    expect(a["gen_ai.completion.0.content"]).toBe("Sure.");
  });

  it("feeds the LLM parser", () => {
    expect(parseLlmSpan(llm!)).toMatchObject({
      system: "openai",
      request_model: "gpt-4o-mini",
      temperature: 0.7,
      is_streaming: false,
      finish_reasons: ["stop"],
      prompt_tokens: 579,
      completion_tokens: 223,
      total_tokens: 802,
      prompt_preview: "You are a travel agent.",
    });
  });
});

describe("traceloop trace spans", () => {
  const rows = readTraceSpans(fixture("trace-spans").response)!;
  const id = "c4c7e548e1febe34757c208205caa53e";

  it("treats {spans: null} as not found and rejects other shapes", () => {
    expect(readTraceSpans(fixture("trace-spans-not-found").response)).toBeNull();
    expect(readTraceSpans({ spans: "x" })).toBeUndefined();
    expect(readTraceSpans("x")).toBeUndefined();
  });

  it("rejects JSON of another API instead of reading it as an unknown trace (#6)", () => {
    expect(readTraceSpans({ status: "ok", version: "1.2" })).toBeUndefined();
    expect(readTraceSpans({})).toBeUndefined();
  });

  it("skips a malformed row instead of failing the trace", () => {
    const { trace, skipped } = traceFromRows(id, rows);
    expect(skipped).toBe(1);
    expect(trace!.spans).toHaveLength(4);
  });

  it("never leaves a service name empty: falls back to unknown_service without a root row", () => {
    const { trace } = traceFromRows(id, rows);
    expect(trace!.spans.every((s) => s.serviceName === UNKNOWN_SERVICE)).toBe(true);
  });

  it("takes the root's service and status from its root-spans row and propagates the service", () => {
    const rootRow = (readPage(fixture("root-spans-page").response, "root_spans")!.rows[0] as Record<string, unknown>);
    const root = rootInfo({ ...rootRow, status_code: "STATUS_CODE_OK" })!;
    const { trace } = traceFromRows(id, rows, root);
    expect(trace!.spans.map((s) => s.serviceName)).toEqual(Array(4).fill("travel-agent-demo2"));
    expect(trace!.serviceName).toBe("travel-agent-demo2");
    expect(trace!.rootOperation).toBe("Agent Workflow");
    expect(trace!.spans[0]!.status).toBe("OK");
  });

  it("derives ERROR from error.type / exception events where the endpoint gives no status", () => {
    const { trace } = traceFromRows(id, rows);
    const byId = new Map(trace!.spans.map((s) => [s.spanId, s]));
    expect(byId.get("9f1c0d2e3a4b5c6d")!.status).toBe("ERROR");
    expect(byId.get("9f1c0d2e3a4b5c6d")!.events).toEqual([
      { name: "exception", timestamp: 1763273060801, attributes: { "exception.type": "RateLimitError", "exception.message": "Rate limit exceeded" } },
    ]);
    expect(byId.get("1532a6cbf1af0cf4")!.status).toBe("UNSET");
    expect(trace!.status).toBe("ERROR");
  });

  it("counts tokens of every LLM span (flattened prompts/completions included)", () => {
    const { trace } = traceFromRows(id, rows);
    const llm = trace!.spans.find((s) => s.spanId === "1532a6cbf1af0cf4")!;
    expect(llm.attributes["gen_ai.usage.total_tokens"]).toBe(953);
    expect(llm.attributes["gen_ai.response.finish_reasons"]).toEqual(["stop"]);
    expect(llm.attributes["gen_ai.prompt.0.content"]).toBe("Help me plan a trip to Lisbon");
    expect(traceTotalTokens(trace!)).toBe(953);
  });
});

describe("traceloop attribute enrichment", () => {
  it("never overwrites an existing gen_ai key", () => {
    expect(enrichAttributes({ "llm.vendor": "openai", "gen_ai.system": "azure" })["gen_ai.system"]).toBe("azure");
  });
  it("orders completion finish reasons by index and accepts llm.response.finish_reason", () => {
    expect(
      enrichAttributes({ "llm.completions.1.finish_reason": "length", "llm.completions.0.finish_reason": "stop" })["gen_ai.response.finish_reasons"],
    ).toEqual(["stop", "length"]);
    expect(enrichAttributes({ "llm.response.finish_reason": "stop" })["gen_ai.response.finish_reasons"]).toEqual(["stop"]);
  });
  it("leaves unrelated keys alone", () => {
    expect(enrichAttributes({ "http.method": "GET" })).toEqual({ "http.method": "GET" });
  });
});

describe("traceloop status", () => {
  it.each([
    ["STATUS_CODE_ERROR", "ERROR"],
    ["STATUS_CODE_OK", "OK"],
    ["STATUS_CODE_UNSET", "UNSET"],
    ["Error", "ERROR"],
    ["bogus", undefined],
    [undefined, undefined],
  ])("%s -> %s", (code, status) => {
    expect(parseStatusCode(code)).toBe(status);
  });

  it("derives from otel.status_code, error.type, exception.* and exception events; else UNSET", () => {
    expect(deriveStatus({ "otel.status_code": "ERROR" }, [])).toBe("ERROR");
    expect(deriveStatus({ "otel.status_code": "OK", "error.type": "x" }, [])).toBe("OK");
    expect(deriveStatus({ "error.type": "Timeout" }, [])).toBe("ERROR");
    expect(deriveStatus({ "exception.message": "boom" }, [])).toBe("ERROR");
    expect(deriveStatus({}, ["exception"])).toBe("ERROR");
    expect(deriveStatus({ "http.method": "GET" }, ["log"])).toBe("UNSET");
  });
});

describe("traceloop workflow names", () => {
  it("reads {workflows: [...]} (the original returned ['workflows']) and tolerates a bare array", () => {
    expect(readWorkflows({ workflows: ["joke_translation", "AgentExecutor", "", "chat", "chat"] })).toEqual(["AgentExecutor", "chat", "joke_translation"]);
    expect(readWorkflows(["b", "a"])).toEqual(["a", "b"]);
    expect(readWorkflows({ other: 1 })).toBeUndefined();
  });
});
