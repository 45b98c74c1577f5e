import { describe, expect, it } from "vitest";
import { OtlpDecodeError, rejectionMessage } from "../../src/otlp/decoded-spans.js";
import { decodeAnyValue, decodeJsonExportBytes, decodeJsonExportRequest, decodeJsonResourceSpans } from "../../src/otlp/json.js";

const TRACE = "5b8efff798038103d269b633813fc60c";
const SPAN = "eee19b7ec3c1b174";
const PARENT = "eee19b7ec3c1b173";

const kv = (key: string, value: Record<string, unknown>) => ({ key, value });
const request = (spans: unknown[], extra: Record<string, unknown> = {}) => ({
  resourceSpans: [
    {
      resource: { attributes: [kv("service.name", { stringValue: "my.service" }), kv("host.name", { stringValue: "box-1" }), kv("process.pid", { intValue: "4242" })] },
      scopeSpans: [{ scope: { name: "my.library", version: "1.0.0" }, spans }],
      ...extra,
    },
  ],
});
const span = (extra: Record<string, unknown> = {}) => ({
  traceId: TRACE,
  spanId: SPAN,
  parentSpanId: PARENT,
  name: "I'm a server span",
  startTimeUnixNano: "1544712660000000000",
  endTimeUnixNano: "1544712661000000000",
  kind: 2,
  ...extra,
});

describe("decodeJsonExportRequest", () => {
  it("maps the OTLP/JSON example span with every optional field", () => {
    const body = request([
      span({
        traceState: "rojo=00f067aa0ba902b7",
        attributes: [kv("my.span.attr", { stringValue: "some value" }), kv("retries", { intValue: 3 }), kv("ratio", { doubleValue: 0.5 }), kv("ok", { boolValue: true })],
        events: [{ timeUnixNano: "1544712660500000000", name: "cache miss", attributes: [kv("key", { stringValue: "user:1" })] }],
        links: [
          { traceId: TRACE, spanId: "0000000000000001", traceState: "k=v", attributes: [kv("why", { stringValue: "follows" })] },
          { traceId: "", spanId: "0000000000000002" },
        ],
        status: { code: 2, message: "upstream timed out" },
      }),
    ]);
    const { spans, rejected } = decodeJsonExportRequest(body);
    expect(rejected).toBe(0);
    expect(spans).toEqual([
      {
        traceId: TRACE,
        spanId: SPAN,
        parentSpanId: PARENT,
        operationName: "I'm a server span",
        serviceName: "my.service",
        startTimeUs: 1544712660000000,
        durationMs: 1000,
        status: "ERROR",
        statusMessage: "upstream timed out",
        kind: "SERVER",
        attributes: { "my.span.attr": "some value", retries: 3, ratio: 0.5, ok: true },
        events: [{ name: "cache miss", timestamp: 1544712660500000000, attributes: { key: "user:1" } }],
        resourceAttributes: { "host.name": "box-1", "process.pid": 4242 },
        scope: { name: "my.library", version: "1.0.0" },
        traceState: "rojo=00f067aa0ba902b7",
        // The link without a trace id points nowhere and is dropped.
        links: [{ traceId: TRACE, spanId: "0000000000000001", traceState: "k=v", attributes: { why: "follows" } }],
      },
    ]);
  });

  it("reads enums as names and int64 as numbers or strings", () => {
    const { spans } = decodeJsonExportRequest(
      request([
        span({ kind: "SPAN_KIND_CONSUMER", status: { code: "STATUS_CODE_OK" }, startTimeUnixNano: 1544712660000000000, endTimeUnixNano: 1544712660250000000 }),
        span({ spanId: "eee19b7ec3c1b175", kind: "SPAN_KIND_INTERNAL", startTimeUnixNano: "1544712660000000001", endTimeUnixNano: "1544712660000000003" }),
      ]),
    );
    expect(spans[0]).toMatchObject({ kind: "CONSUMER", status: "OK", startTimeUs: 1544712660000000 });
    // A JSON number cannot hold every nanosecond past 2^53: close, not exact.
    expect(spans[0]!.durationMs).toBeCloseTo(250, 3);
    expect(spans[1]).toMatchObject({ kind: "INTERNAL", status: "UNSET", durationMs: 0.000002 });
    expect(spans[1]!.statusMessage).toBeUndefined();
  });

  it("accepts base64 ids (as Tempo writes them) and treats an all-zero parent as a root", () => {
    const b64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");
    const { spans } = decodeJsonExportRequest(request([span({ traceId: b64(TRACE), spanId: b64(SPAN), parentSpanId: b64("0000000000000000") })]));
    expect(spans[0]).toMatchObject({ traceId: TRACE, spanId: SPAN, parentSpanId: null });
  });

  it("reads an absent kind as UNSPECIFIED and leaves an empty scope and trace state out", () => {
    const body = { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: {}, spans: [span({ kind: undefined, traceState: "" })] }] }] };
    const [s] = decodeJsonExportRequest(body).spans;
    expect(s!.kind).toBe("UNSPECIFIED");
    expect(s!.serviceName).toBe("unknown");
    expect("scope" in s!).toBe(false);
    expect("traceState" in s!).toBe(false);
    expect("resourceAttributes" in s!).toBe(false);
  });

  it("rejects invalid spans with a reason and keeps the valid ones", () => {
    const decoded = decodeJsonExportRequest(
      request([
        span(),
        span({ spanId: "xyz" }),
        span({ spanId: "0000000000000000" }),
        span({ traceId: "00000000000000000000000000000000" }),
        span({ traceId: "5b8efff798038103d269b633813fc6" }),
        span({ parentSpanId: "nothex!!" }),
        span({ name: "" }),
        span({ name: undefined }),
        span({ startTimeUnixNano: undefined }),
        span({ startTimeUnixNano: "soon" }),
        "not a span",
      ]),
    );
    expect(decoded.spans.map((s) => s.spanId)).toEqual([SPAN]);
    expect(decoded.rejected).toBe(10);
    expect(decoded.reasons).toEqual({ "invalid span id": 3, "invalid trace id": 2, "invalid parent span id": 1, "missing name": 2, "missing start time": 2 });
    expect(rejectionMessage(decoded)).toBe(
      "10 spans rejected: invalid trace id (2), invalid span id (3), invalid parent span id (1), missing name (2), missing start time (2)",
    );
  });

  it("reads the pre-1.0 instrumentationLibrarySpans shape", () => {
    const body = { resourceSpans: [{ instrumentationLibrarySpans: [{ instrumentationLibrary: { name: "old-lib", version: "0.1" }, spans: [span()] }] }] };
    expect(decodeJsonExportRequest(body).spans[0]!.scope).toEqual({ name: "old-lib", version: "0.1" });
  });

  it("uses the fallback trace id only for spans without a readable one", () => {
    const fallback = "0af7651916cd43dd8448eb211c80319c";
    const { spans } = decodeJsonResourceSpans(request([span({ traceId: undefined }), span({ spanId: "eee19b7ec3c1b175" })]).resourceSpans, { fallbackTraceId: fallback });
    expect(spans.map((s) => s.traceId)).toEqual([fallback, TRACE]);
  });

  it("throws OtlpDecodeError for bodies that are not an export request", () => {
    expect(() => decodeJsonExportRequest([])).toThrow(OtlpDecodeError);
    expect(() => decodeJsonExportRequest({ resourceSpans: {} })).toThrow(OtlpDecodeError);
    expect(() => decodeJsonExportBytes(Buffer.from("{nope"))).toThrow(OtlpDecodeError);
    expect(decodeJsonExportRequest({})).toEqual({ spans: [], rejected: 0, reasons: {} });
  });

  it("decodes nested and unusual AnyValues", () => {
    expect(decodeAnyValue({ kvlistValue: { values: [kv("inner", { arrayValue: { values: [{ intValue: "-5" }, { doubleValue: "Infinity" }] } })] } })).toEqual({
      inner: [-5, "Infinity"],
    });
    expect(decodeAnyValue({ intValue: 12345678901234567890 })).toBe("12345678901234567000");
  });
});
