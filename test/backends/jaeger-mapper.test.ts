/**
 * The Jaeger mapper against real responses (test/fixtures/jaeger/*.json: response bodies copied
 * verbatim from the upstream project's recorded cassettes of a Jaeger 2 all-in-one, Nov 2025) and
 * against hand-made edge cases the recordings do not contain (parents, logs, broken spans).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { mapJaegerSpan, mapJaegerTrace, mapJaegerTraces, skippedNote } from "../../src/backends/jaeger/jaeger-mapper.js";
import { generateDataset } from "../helpers/dataset.js";
import { toJaegerTrace } from "../helpers/jaeger-world.js";

interface RawTag {
  key: string;
  type: string;
  value: unknown;
}
interface RawSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  startTime: number;
  duration: number;
  tags: RawTag[];
}
interface RawEnvelope {
  data: Array<{ traceID: string; spans: RawSpan[] }> | null;
  errors: unknown;
}

function fixture(name: string): RawEnvelope {
  return JSON.parse(readFileSync(new URL(`../fixtures/jaeger/${name}`, import.meta.url), "utf8")) as RawEnvelope;
}

describe("mapping recorded Jaeger responses", () => {
  it("maps a 10-trace search with its error spans", () => {
    const raw = fixture("search-10-traces.json");
    const { traces, stats } = mapJaegerTraces(raw.data);
    expect(stats).toEqual({ skippedTraces: 0, skippedSpans: 0 });
    expect(traces).toHaveLength(10);

    const rawSpans = raw.data!.flatMap((t) => t.spans);
    const erroredIds = rawSpans.filter((s) => s.tags.some((t) => t.key === "error" && t.value === true)).map((s) => s.spanID);
    expect(erroredIds.length).toBeGreaterThan(0);
    expect(erroredIds.length).toBeLessThan(rawSpans.length);

    for (const trace of traces) {
      const rawTrace = raw.data!.find((t) => t.traceID === trace.traceId)!;
      expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(trace.spans).toHaveLength(rawTrace.spans.length);
      for (const span of trace.spans) {
        const r = rawSpans.find((s) => s.spanID === span.spanId)!;
        expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
        expect(span.serviceName).toBe("jaeger");
        expect(span.parentSpanId).toBeNull();
        expect(span.startTimeUs).toBe(r.startTime);
        expect(span.durationMs).toBe(r.duration / 1000);
        expect(span.status).toBe(erroredIds.includes(span.spanId) ? "ERROR" : "UNSET");
        expect(typeof span.attributes["http.response.status_code"]).toBe("number");
        expect(span.attributes["span.kind"]).toBe("server");
        if (span.status === "ERROR") {
          expect(span.attributes.error).toBe(true);
          expect(span.attributes["otel.status_code"]).toBe("ERROR");
          expect(span.attributes["http.response.status_code"]).toBe(501);
        }
      }
      expect(trace.status).toBe(trace.spans.some((s) => s.status === "ERROR") ? "ERROR" : "OK");
      expect(trace.rootOperation).toBe(rawTrace.spans[0]!.operationName);
    }
  });

  it("maps a trace fetched by id, field by field", () => {
    const { traces } = mapJaegerTraces(fixture("trace-by-id.json").data);
    expect(traces).toHaveLength(1);
    const trace = traces[0]!;
    expect(trace).toMatchObject({
      traceId: "0a133b2ffa5d05faf89fe1f489cb020e",
      serviceName: "jaeger",
      rootOperation: "/api/services",
      startTimeUs: 1763038908559873,
      durationMs: 1.576,
      status: "OK",
    });
    const span = trace.spans[0]!;
    expect(span).toMatchObject({
      spanId: "8a526433ee1e70cb",
      parentSpanId: null,
      operationName: "/api/services",
      status: "UNSET",
      events: [],
    });
    expect(Object.keys(span.attributes)).toHaveLength(16);
    expect(span.attributes).toMatchObject({
      "http.request.method": "GET",
      "http.response.status_code": 200,
      "server.port": 16686,
      "url.path": "/api/services",
    });
    // Process tags describe the host, not the span.
    expect(span.attributes["host.name"]).toBeUndefined();
  });

  it("maps an empty search and the 404 envelope to no traces", () => {
    expect(mapJaegerTraces(fixture("search-empty.json").data)).toEqual({ traces: [], stats: { skippedTraces: 0, skippedSpans: 0 } });
    const notFound = fixture("trace-not-found-404.json");
    expect(notFound.data).toBeNull();
    expect(mapJaegerTraces(notFound.data).traces).toEqual([]);
  });
});

describe("mapping edge cases", () => {
  const T = "4BF92F3577B34DA6A3CE929D0E0E4736";
  const t = T.toLowerCase();
  const span = (over: Record<string, unknown>) => ({
    traceID: T,
    spanID: "00F067AA0BA902B7",
    operationName: "op",
    references: [],
    startTime: 1_700_000_000_000_000,
    duration: 2500,
    tags: [],
    logs: [],
    processID: "p1",
    ...over,
  });
  const processes = { p1: { serviceName: "svc", tags: [{ key: "host.name", type: "string", value: "h" }] } };

  it("lowercases ids and converts µs durations to ms", () => {
    const s = mapJaegerSpan(span({}), processes)!;
    expect(s).toMatchObject({ traceId: t, spanId: "00f067aa0ba902b7", serviceName: "svc", durationMs: 2.5, startTimeUs: 1_700_000_000_000_000 });
  });

  it("takes the first CHILD_OF parent, falls back to a same-trace reference, never to another trace", () => {
    const childOf = mapJaegerSpan(
      span({
        references: [
          { refType: "FOLLOWS_FROM", traceID: T, spanID: "aaaaaaaaaaaaaaaa" },
          { refType: "CHILD_OF", traceID: T, spanID: "BBBBBBBBBBBBBBBB" },
          { refType: "CHILD_OF", traceID: T, spanID: "cccccccccccccccc" },
        ],
      }),
      processes,
    )!;
    expect(childOf.parentSpanId).toBe("bbbbbbbbbbbbbbbb");
    const followsOnly = mapJaegerSpan(span({ references: [{ refType: "FOLLOWS_FROM", traceID: T, spanID: "aaaaaaaaaaaaaaaa" }] }), processes)!;
    expect(followsOnly.parentSpanId).toBe("aaaaaaaaaaaaaaaa");
    const link = mapJaegerSpan(span({ references: [{ refType: "FOLLOWS_FROM", traceID: "1".repeat(32), spanID: "aaaaaaaaaaaaaaaa" }] }), processes)!;
    expect(link.parentSpanId).toBeNull();
  });

  it("finds the service in the processes map, then inline, else 'unknown'", () => {
    expect(mapJaegerSpan(span({ processID: "p9", process: { serviceName: "inline" } }), processes)!.serviceName).toBe("inline");
    expect(mapJaegerSpan(span({ processID: "p9" }), processes)!.serviceName).toBe("unknown");
  });

  it("derives the status from error / otel.status_code tags", () => {
    const status = (tags: unknown[]) => mapJaegerSpan(span({ tags }), processes)!.status;
    expect(status([{ key: "error", type: "bool", value: true }])).toBe("ERROR");
    expect(status([{ key: "error", type: "string", value: "true" }])).toBe("ERROR");
    expect(status([{ key: "error", type: "bool", value: false }, { key: "otel.status_code", type: "string", value: "ERROR" }])).toBe("ERROR");
    expect(status([{ key: "otel.status_code", type: "string", value: "OK" }])).toBe("OK");
    expect(status([{ key: "error", type: "bool", value: false }])).toBe("UNSET");
    expect(status([])).toBe("UNSET");
  });

  it("keeps tag JSON types, drops null values and coerces well-known keys", () => {
    const s = mapJaegerSpan(
      span({
        tags: [
          { key: "gen_ai.usage.prompt_tokens", type: "string", value: "42" },
          { key: "gen_ai.request.temperature", type: "float64", value: 0.2 },
          { key: "gen_ai.response.finish_reasons", type: "string", value: '["stop"]' },
          { key: "retry", type: "bool", value: false },
          { key: "gone", type: "string", value: null },
          { type: "string", value: "no key" },
        ],
      }),
      processes,
    )!;
    expect(s.attributes).toEqual({
      "gen_ai.usage.prompt_tokens": 42,
      "gen_ai.request.temperature": 0.2,
      "gen_ai.response.finish_reasons": ["stop"],
      retry: false,
    });
  });

  it("turns logs into events named by their event or message field", () => {
    const s = mapJaegerSpan(
      span({
        logs: [
          { timestamp: 5, fields: [{ key: "event", type: "string", value: "exception" }, { key: "exception.type", type: "string", value: "E" }] },
          { timestamp: 6, fields: [{ key: "message", type: "string", value: "hello" }, { key: "nothing", type: "string", value: null }] },
          { timestamp: 7, fields: [{ key: "level", type: "string", value: "info" }] },
          "not a log",
        ],
      }),
      processes,
    )!;
    expect(s.events).toEqual([
      { name: "exception", timestamp: 5, attributes: { event: "exception", "exception.type": "E" } },
      { name: "log", timestamp: 6, attributes: { message: "hello" } },
      { name: "event", timestamp: 7, attributes: { level: "info" } },
    ]);
  });

  it("skips unreadable spans and traces, and counts them", () => {
    const { traces, stats } = mapJaegerTraces([
      {
        traceID: T,
        processes,
        spans: [span({}), span({ spanID: undefined }), span({ startTime: "soon" }), span({ operationName: 7 }), null],
      },
      { traceID: "2".repeat(32), processes, spans: [span({ spanID: "" })] },
      { spans: [span({})] },
      "garbage",
    ]);
    expect(traces.map((x) => x.traceId)).toEqual([t]);
    expect(traces[0]!.spans).toHaveLength(1);
    expect(stats).toEqual({ skippedTraces: 3, skippedSpans: 5 });
    expect(skippedNote(stats)[0]).toMatch(/^3 trace\(s\) and 5 span\(s\) in Jaeger's answer could not be read/);
    expect(skippedNote({ skippedTraces: 0, skippedSpans: 0 })).toEqual([]);
  });

  it("treats a null or missing data list as no traces", () => {
    expect(mapJaegerTraces(null).traces).toEqual([]);
    expect(mapJaegerTraces(undefined).traces).toEqual([]);
  });
});

describe("world rendering and mapper agree", () => {
  it("round-trips every dataset trace through Jaeger's wire format", () => {
    for (const trace of generateDataset()) {
      const back = mapJaegerTrace(JSON.parse(JSON.stringify(toJaegerTrace(trace))))!;
      expect(back.traceId).toBe(trace.traceId);
      expect(back.durationMs).toBeCloseTo(trace.durationMs, 6);
      expect(back.status).toBe(trace.status);
      for (const [i, want] of trace.spans.entries()) {
        const got = back.spans[i]!;
        const { error: _e, "otel.status_code": _c, ...attributes } = got.attributes;
        expect({ ...got, attributes }).toEqual({
          ...want,
          events: want.events.map((e) => ({ ...e, attributes: { event: e.name, ...e.attributes } })),
        });
      }
    }
  });
});
