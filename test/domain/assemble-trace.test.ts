/**
 * assembleTrace against the independent truth (test/helpers/dataset-truth.ts) on the shared
 * datasets and the edge traces, and the truth itself against values worked out by hand.
 */
import { describe, expect, it } from "vitest";
import { assembleTrace, createSpan, traceHasErrors, type Span } from "../../src/domain/trace.js";
import { traceTruth } from "../helpers/dataset-truth.js";
import { EDGE_CASES, generateDataset, generateEdgeTraces } from "../helpers/dataset.js";

const datasets = {
  "default dataset": generateDataset(),
  "seed 7, 30 traces, filler spans": generateDataset({ seed: 7, traces: 30, fillerSpans: 6 }),
  "edge traces": generateEdgeTraces(),
};

describe("assembleTrace agrees with the truth computed from the raw spans", () => {
  for (const [name, traces] of Object.entries(datasets)) {
    it(name, () => {
      for (const t of traces) {
        const truth = traceTruth(t.spans);
        const got = assembleTrace(t.traceId, t.spans)!;
        expect(
          { service: got.serviceName, op: got.rootOperation, start: got.startTimeUs, status: got.status, spans: got.spans.length, errors: traceHasErrors(got) },
          t.traceId,
        ).toEqual({ service: truth.serviceName, op: truth.rootOperation, start: truth.startTimeUs, status: truth.status, spans: truth.spanCount, errors: truth.hasErrors });
        expect(got.durationMs, t.traceId).toBeCloseTo(truth.durationMs, 6);
      }
    });
  }

  it("is empty-safe: no spans, no trace", () => {
    expect(assembleTrace("ab", [])).toBeUndefined();
  });

  it("without a parentless span the first span is the root", () => {
    const orphan = (spanId: string, op: string, startTimeUs: number): Span =>
      createSpan({ traceId: "ab", spanId, parentSpanId: "ffffffffffffffff", operationName: op, serviceName: `svc-${op}`, startTimeUs, durationMs: 5 });
    const spans = [orphan("02", "second", 2_000), orphan("01", "first", 1_000)];
    expect(traceTruth(spans)).toMatchObject({ rootOperation: "second", serviceName: "svc-second", startTimeUs: 1_000, durationMs: 6 });
    expect(assembleTrace("ab", spans)).toMatchObject({ rootOperation: "second", serviceName: "svc-second", startTimeUs: 1_000, durationMs: 6 });
  });
});

describe("the edge traces' truth, worked out by hand", () => {
  const edges = generateEdgeTraces();
  const byCase = Object.fromEntries(EDGE_CASES.map((c, i) => [c, edges[i]!]));

  it("ok-root-over-error-child: the root is OK, the trace is ERROR", () => {
    const t = byCase["ok-root-over-error-child"]!;
    const root = t.spans.find((s) => !s.parentSpanId)!;
    expect(root.status).toBe("OK");
    expect(t.spans.filter((s) => s.status === "ERROR").map((s) => s.operationName)).toEqual(["anthropic.chat"]);
    expect(traceTruth(t.spans)).toMatchObject({ status: "ERROR", hasErrors: true, rootOperation: "agent.workflow", durationMs: 3000, llmSpanCount: 2, totalTokens: 150 });
  });

  it("two-roots: the first parentless span is the root; the trace runs to the second root's child's end", () => {
    const t = byCase["two-roots"]!;
    expect(t.spans.filter((s) => !s.parentSpanId).map((s) => s.operationName)).toEqual(["agent.workflow", "agent.followup"]);
    // rootA [0, 1000] ms; its LLM child [100, 600]; rootB [2000, 3500]; rootB's tool [2100, 3500].
    expect(traceTruth(t.spans)).toMatchObject({ rootOperation: "agent.workflow", durationMs: 3500, status: "OK", totalTokens: 200 });
  });

  it("clock-skew: a child before and past its parent sets the start and the duration; an UNSET root makes an OK trace", () => {
    const t = byCase["clock-skew"]!;
    const root = t.spans.find((s) => !s.parentSpanId)!;
    expect(root).toMatchObject({ status: "UNSET", durationMs: 1000 });
    expect(traceTruth(t.spans)).toMatchObject({ startTimeUs: root.startTimeUs - 40_000, durationMs: 1290, status: "OK", totalTokens: 321 });
  });

  it("arbitrary-order: the root is third in the list and the earliest span last", () => {
    const t = byCase["arbitrary-order"]!;
    expect(t.spans.map((s) => s.operationName)).toEqual(["lookup_docs.tool", "openai.chat", "agent.workflow", "GET /api/profile", "cohere.chat"]);
    const root = t.spans[2]!;
    expect(traceTruth(t.spans)).toMatchObject({ rootOperation: "agent.workflow", startTimeUs: root.startTimeUs, durationMs: 2000, totalTokens: 500, llmSpanCount: 2 });
  });
});
