/**
 * A realistic OTLP export for the OTLP benches: `spans` spans recorded by the real OTel JS SDK
 * (one LLM-application trace shape repeated: GenAI attributes, HTTP attributes, an event), and the
 * same request serialized by @opentelemetry/otlp-transformer as protobuf and as JSON.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";

export interface OtlpSample {
  spans: ReadableSpan[];
  proto: Uint8Array;
  json: Uint8Array;
}

export function otlpSample(spanCount = 512): OtlpSample {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": "chat-api", "service.version": "2.4.1", "deployment.environment.name": "prod", "host.name": "node-7" }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer("bench-scope", "1.0.0");
  let made = 0;
  while (made < spanCount) {
    const root = tracer.startSpan("POST /v1/chat", { kind: SpanKind.SERVER, attributes: { "http.request.method": "POST", "http.route": "/v1/chat", "http.response.status_code": 200, "user.id": `u-${made % 97}` } });
    const ctx = trace.setSpan(ROOT_CONTEXT, root);
    made++;
    for (let i = 0; i < 3 && made < spanCount; i++, made++) {
      const llm = tracer.startSpan(
        "chat gpt-4o",
        {
          kind: SpanKind.CLIENT,
          attributes: {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": "gpt-4o",
            "gen_ai.response.model": "gpt-4o-2024-08-06",
            "gen_ai.usage.input_tokens": 1200 + i,
            "gen_ai.usage.output_tokens": 230 + i,
            "gen_ai.request.temperature": 0.7,
            "gen_ai.response.finish_reasons": ["stop"],
            "gen_ai.conversation.id": `conv-${made % 31}`,
          },
        },
        ctx,
      );
      llm.addEvent("gen_ai.choice", { index: 0, finish_reason: "stop" });
      if (i === 2) llm.setStatus({ code: SpanStatusCode.ERROR, message: "rate limited" });
      llm.end();
    }
    root.end();
  }
  const spans = exporter.getFinishedSpans().slice(0, spanCount);
  return { spans, proto: ProtobufTraceSerializer.serializeRequest(spans)!, json: JsonTraceSerializer.serializeRequest(spans)! };
}
