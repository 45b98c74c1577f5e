/**
 * Replays a demo plan through the real OpenTelemetry SDK (one tracer provider per service,
 * OTLP/HTTP JSON exporter), so the backend receives exactly what an instrumented app sends.
 * Ids, parents and timestamps are forced to the plan's values so tests can compare answers
 * with the plan (demo-data re-keys the ids per run before it gets here: run-ids.ts). The
 * endpoint is probed first (otlp-probe.ts): a 200 from something that is not an OTLP receiver
 * would otherwise count as a successful export.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Attributes, type HrTime } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor, type IdGenerator, type ReadableSpan, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { Logger } from "../logger.js";
import { probeOtlpReceiver, ProbeFailure } from "./otlp-probe.js";
import type { DemoAttributes, DemoPlan, DemoSpan, DemoSpanKind } from "./types.js";

export const DEMO_SCOPE = "opentelemetry-mcp-demo";
export const DEMO_SCOPE_VERSION = "0.1.0";

export interface EmitOptions {
  /** OTLP/HTTP base URL; spans are posted to `<otlpEndpoint>/v1/traces`. */
  otlpEndpoint: string;
  logger: Logger;
  /** Per-request export timeout. */
  timeoutMs?: number;
}

export interface EmitResult {
  traces: number;
  /** Spans the backend accepted. */
  spans: number;
}

/** Hands out the plan's ids: set `next` right before each synchronous startSpan call. */
class PlannedIds implements IdGenerator {
  next: { traceId: string; spanId: string } | undefined;
  generateTraceId(): string {
    if (!this.next) throw new Error("demo emitter: no planned trace id");
    return this.next.traceId;
  }
  generateSpanId(): string {
    if (!this.next) throw new Error("demo emitter: no planned span id");
    return this.next.spanId;
  }
}

/** Delegates to the OTLP exporter and remembers failures, which the batch processor would only log. */
class CheckedExporter implements SpanExporter {
  exported = 0;
  readonly failures: string[] = [];
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: (result: { code: number; error?: Error }) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code === 0) this.exported += spans.length;
      else this.failures.push(describeError(result.error));
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush ? this.inner.forceFlush() : Promise.resolve();
  }
}

/** OTLP exporter errors often carry an empty message and the HTTP status in `code`. */
function describeError(err: unknown): string {
  if (!(err instanceof Error)) return "export failed";
  const code = (err as { code?: unknown }).code;
  const data = (err as { data?: unknown }).data;
  const parts = [err.message || err.name, code !== undefined ? `status ${String(code)}` : "", typeof data === "string" && data ? data.slice(0, 200) : ""];
  return parts.filter(Boolean).join(": ");
}

const KINDS: Record<DemoSpanKind, SpanKind> = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
};

function hrTime(us: number): HrTime {
  return [Math.floor(us / 1e6), (us % 1e6) * 1000];
}

function toOtelAttributes(attrs: DemoAttributes): Attributes {
  return { ...attrs };
}

function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, "")}/v1/traces`;
}

/** Sends every span of the plan; throws if any export failed, naming the endpoint. */
export async function emitDemoPlan(plan: DemoPlan, options: EmitOptions): Promise<EmitResult> {
  const url = tracesUrl(options.otlpEndpoint);
  const ids = new PlannedIds();
  const spanTotal = plan.traces.reduce((n, t) => n + t.spans.length, 0);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const notSent = `Could not send demo traces to ${url}: 0 of ${spanTotal} spans accepted`;
  try {
    await probeOtlpReceiver(url, { timeoutMs: Math.min(timeoutMs, 5_000) });
  } catch (err) {
    if (err instanceof ProbeFailure) throw new Error(`${notSent} (${err.reason}). ${err.hint}`);
    throw err;
  }
  const services = [...new Set(plan.traces.flatMap((t) => t.spans.map((s) => s.service)))];
  const providers = new Map<string, { provider: BasicTracerProvider; exporter: CheckedExporter }>();
  for (const service of services) {
    const exporter = new CheckedExporter(new OTLPTraceExporter({ url, timeoutMillis: timeoutMs }));
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": service, "service.namespace": "acme-demo", "deployment.environment.name": "demo" }),
      idGenerator: ids,
      // Nothing may be dropped: the queue holds the whole plan.
      spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: spanTotal + 1, maxExportBatchSize: 512, scheduledDelayMillis: 200 })],
    });
    providers.set(service, { provider, exporter });
  }
  options.logger.debug({ url, traces: plan.traces.length, spans: spanTotal, services }, "emitting demo traces");

  const emitSpan = (traceId: string, span: DemoSpan): void => {
    const tracer = providers.get(span.service)!.provider.getTracer(DEMO_SCOPE, DEMO_SCOPE_VERSION);
    const parent = span.parentSpanId
      ? trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: span.parentSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: false })
      : ROOT_CONTEXT;
    ids.next = { traceId, spanId: span.spanId };
    const otelSpan = tracer.startSpan(span.name, { kind: KINDS[span.kind], startTime: hrTime(span.startUs), attributes: toOtelAttributes(span.attributes) }, parent);
    ids.next = undefined;
    for (const event of span.events) {
      if (event.name === "exception") {
        // The SDK's own exception recording, as instrumentations do it.
        otelSpan.recordException(
          {
            name: String(event.attributes["exception.type"]),
            message: String(event.attributes["exception.message"]),
            stack: String(event.attributes["exception.stacktrace"]),
          },
          hrTime(event.timeUs),
        );
      } else {
        otelSpan.addEvent(event.name, toOtelAttributes(event.attributes), hrTime(event.timeUs));
      }
    }
    if (span.status.code !== "UNSET") {
      otelSpan.setStatus({
        code: span.status.code === "ERROR" ? SpanStatusCode.ERROR : SpanStatusCode.OK,
        ...(span.status.message ? { message: span.status.message } : {}),
      });
    }
    otelSpan.end(hrTime(span.endUs));
  };

  for (const t of plan.traces) for (const span of t.spans) emitSpan(t.traceId, span);

  const all = [...providers.values()];
  // A failed export rejects the flush; collect every reason and report them together below.
  const settled = [
    ...(await Promise.allSettled(all.map(({ provider }) => provider.forceFlush()))),
    ...(await Promise.allSettled(all.map(({ provider }) => provider.shutdown()))),
  ];
  const failures = all.flatMap(({ exporter }) => exporter.failures);
  for (const s of settled) if (s.status === "rejected" && failures.length === 0) failures.push(describeError(s.reason));
  const exported = all.reduce((n, { exporter }) => n + exporter.exported, 0);
  if (failures.length > 0 || exported !== spanTotal) {
    throw new Error(
      `Could not send demo traces to ${url}: ${exported} of ${spanTotal} spans accepted` +
        (failures.length > 0 ? ` (${failures[0]})` : "") +
        ". Is an OTLP/HTTP receiver (e.g. Jaeger with OTLP enabled) listening there?",
    );
  }
  options.logger.debug({ url, traces: plan.traces.length, spans: exported }, "demo traces sent");
  return { traces: plan.traces.length, spans: exported };
}
