/**
 * Spans recorded by the real OpenTelemetry JS SDK, covering what OTLP carries (every kind, status
 * with message, typed and array attributes, events incl. an exception, links, trace state,
 * resource, scope), plus the domain Span each must decode to, derived here straight from the SDK
 * objects (not by the decoder under test).
 */
import { createTraceState, ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type HrTime } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import type { Span } from "../../src/domain/trace.js";

export const SAMPLE_SERVICE = "checkout";
export const SAMPLE_SCOPE = { name: "otlp-test-scope", version: "9.9.9" };

const KIND_NAMES: Record<SpanKind, string> = {
  [SpanKind.INTERNAL]: "INTERNAL",
  [SpanKind.SERVER]: "SERVER",
  [SpanKind.CLIENT]: "CLIENT",
  [SpanKind.PRODUCER]: "PRODUCER",
  [SpanKind.CONSUMER]: "CONSUMER",
};
const STATUS_NAMES = { [SpanStatusCode.UNSET]: "UNSET", [SpanStatusCode.OK]: "OK", [SpanStatusCode.ERROR]: "ERROR" } as const;

/** Start of the sample, in epoch seconds; each span offsets from it with nanosecond detail. */
const BASE_S = 1_763_042_187;
const at = (ms: number, extraNs = 0): HrTime => [BASE_S + Math.floor(ms / 1000), (ms % 1000) * 1_000_000 + extraNs];

/**
 * Records `traces` traces of five spans each (root SERVER -> CLIENT (error, link) -> PRODUCER,
 * CONSUMER, INTERNAL), with a trace state inherited from a remote parent on the first.
 */
export function recordSampleSpans(options: { traces?: number; service?: string } = {}): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": options.service ?? SAMPLE_SERVICE, "service.version": "1.2.3", "host.cores": 8, "deployment.environment.name": "test" }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer(SAMPLE_SCOPE.name, SAMPLE_SCOPE.version);
  for (let t = 0; t < (options.traces ?? 1); t++) {
    const offset = t * 10_000;
    const remoteParent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: (t + 1).toString(16).padStart(32, "a"),
      spanId: "00f067aa0ba902b7",
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
      traceState: createTraceState("vendor=abc,other=1"),
    });
    const root = tracer.startSpan(
      "POST /checkout",
      {
        kind: SpanKind.SERVER,
        startTime: at(offset, 123),
        attributes: {
          "http.request.method": "POST",
          "http.response.status_code": 200,
          "app.ratio": 0.25,
          "app.cached": false,
          "app.tags": ["a", "b"],
          "app.counts": [1, 2, 3],
          "app.weights": [1.5, 2.5],
          "app.flags": [true, false],
          "gen_ai.usage.input_tokens": 42,
        },
      },
      remoteParent,
    );
    root.addEvent("cart.loaded", { "cart.items": 3, "cart.currency": "EUR" }, at(offset + 5, 7));
    root.setStatus({ code: SpanStatusCode.OK });
    const rootCtx = trace.setSpan(ROOT_CONTEXT, root);

    const client = tracer.startSpan(
      "charge card",
      { kind: SpanKind.CLIENT, startTime: at(offset + 10), links: [{ context: root.spanContext(), attributes: { "link.reason": "retry-of", "link.attempt": 2 } }] },
      rootCtx,
    );
    client.recordException({ name: "PaymentDeclined", message: "card declined", stack: "PaymentDeclined: card declined\n    at charge" }, at(offset + 20));
    client.setStatus({ code: SpanStatusCode.ERROR, message: "card declined" });
    client.end(at(offset + 30, 999_999));

    const clientCtx = trace.setSpan(ROOT_CONTEXT, client);
    tracer.startSpan("publish order", { kind: SpanKind.PRODUCER, startTime: at(offset + 31) }, clientCtx).end(at(offset + 32));
    tracer.startSpan("consume order", { kind: SpanKind.CONSUMER, startTime: at(offset + 33), attributes: { "messaging.batch.message_count": 1 } }, rootCtx).end(at(offset + 40));
    tracer.startSpan("render", { startTime: at(offset + 41) }, rootCtx).end(at(offset + 42));
    root.end(at(offset + 50, 1));
  }
  return exporter.getFinishedSpans();
}

const nanos = (t: HrTime): bigint => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);

/** The domain Span a ReadableSpan must decode to (see src/domain/trace.ts for the shape). */
export function expectedSpan(rs: ReadableSpan): Span {
  const { "service.name": service, ...resourceAttributes } = rs.resource.attributes;
  const start = nanos(rs.startTime);
  const end = nanos(rs.endTime);
  const traceState = rs.spanContext().traceState?.serialize();
  const span: Span = {
    traceId: rs.spanContext().traceId,
    spanId: rs.spanContext().spanId,
    parentSpanId: rs.parentSpanContext?.spanId ?? null,
    operationName: rs.name,
    serviceName: String(service),
    startTimeUs: Number(start / 1000n),
    durationMs: Number(end - start) / 1e6,
    status: STATUS_NAMES[rs.status.code],
    attributes: { ...rs.attributes } as Span["attributes"],
    events: rs.events.map((e) => ({ name: e.name, timestamp: Number(nanos(e.time)), attributes: { ...(e.attributes ?? {}) } as Span["attributes"] })),
    kind: KIND_NAMES[rs.kind] as Span["kind"],
    resourceAttributes: resourceAttributes as Span["attributes"],
    scope: { name: rs.instrumentationScope.name, ...(rs.instrumentationScope.version ? { version: rs.instrumentationScope.version } : {}) },
  };
  if (rs.status.message) span.statusMessage = rs.status.message;
  if (traceState) span.traceState = traceState;
  if (rs.links.length > 0) {
    span.links = rs.links.map((l) => {
      const linkState = l.context.traceState?.serialize();
      return {
        traceId: l.context.traceId,
        spanId: l.context.spanId,
        ...(linkState ? { traceState: linkState } : {}),
        attributes: { ...(l.attributes ?? {}) } as Span["attributes"],
      };
    });
  }
  return span;
}

/** Orders spans by id so batches from different requests compare as sets. */
export function bySpanId<T extends { spanId: string }>(spans: readonly T[]): T[] {
  return [...spans].sort((a, b) => (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0));
}
