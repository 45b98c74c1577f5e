/**
 * The protobufjs message types of the vendored OTLP descriptor, built on first use: compiling the
 * descriptor costs tens of milliseconds, which only a running receiver should pay.
 */
import protobuf from "protobufjs/light.js";
import { OTLP_TRACE_DESCRIPTOR } from "./otlp-trace-descriptor.js";

export interface OtlpTypes {
  ExportTraceServiceRequest: protobuf.Type;
  ExportTraceServiceResponse: protobuf.Type;
}

let types: OtlpTypes | undefined;

export function otlpTypes(): OtlpTypes {
  if (!types) {
    const root = protobuf.Root.fromJSON(OTLP_TRACE_DESCRIPTOR);
    types = {
      ExportTraceServiceRequest: root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest"),
      ExportTraceServiceResponse: root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse"),
    };
  }
  return types;
}
