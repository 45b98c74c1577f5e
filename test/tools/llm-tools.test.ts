import { describe, expect, it } from "vitest";
import { assembleTrace, createSpan } from "../../src/domain/trace.js";
import { MemoryBackend } from "../helpers/memory-backend.js";
import { connect } from "../helpers/mcp.js";
import { describeLlmTools, traces } from "./llm-suite.js";

describeLlmTools("memory", async () => {
  const mcp = await connect({ backendFactory: async () => new MemoryBackend(traces) });
  return { mcp, close: () => mcp.close() };
});

describe("find_errors on one span", () => {
  it("find_errors reads the OTLP status message when no exception or tag says more", async () => {
    const t0 = traces[0]!.startTimeUs;
    const span = createSpan({ traceId: "c".repeat(32), spanId: "d".repeat(16), operationName: "POST /tools/invoke", serviceName: "tool-runner", startTimeUs: t0, durationMs: 5, status: "ERROR", statusMessage: "tool lookup_order failed" });
    const one = await connect({ backendFactory: async () => new MemoryBackend([assembleTrace(span.traceId, [span])!]) });
    try {
      const r = await one.call("find_errors", { start_time: new Date(t0 / 1000 - 60_000).toISOString(), end_time: new Date(t0 / 1000 + 60_000).toISOString() });
      expect((r.json.error_traces as Array<{ error_spans: unknown[] }>)[0]!.error_spans[0]).toMatchObject({ span_id: span.spanId, error_message: "tool lookup_order failed" });
    } finally {
      await one.close();
    }
  });
});
