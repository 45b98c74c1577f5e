/**
 * OTLP/HTTP answers in the request's encoding: ExportTraceServiceResponse for a 200 (with
 * `partial_success` when spans were rejected), and google.rpc.Status for 4xx/5xx, as the OTLP
 * spec asks ("the response body for all HTTP 4xx and HTTP 5xx responses MUST be a
 * Protobuf-encoded Status message", or its JSON form for JSON requests).
 */
import protobuf from "protobufjs/light.js";
import { otlpTypes } from "./proto/otlp-types.js";

export type OtlpEncoding = "protobuf" | "json";

export const CONTENT_TYPES: Readonly<Record<OtlpEncoding, string>> = {
  protobuf: "application/x-protobuf",
  json: "application/json",
};

/** The gRPC codes the receiver uses in Status bodies (google/rpc/code.proto). */
export const RPC_CODE = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** ExportTraceServiceResponse; empty (no partial_success) when nothing was rejected. */
export function encodeExportResponse(encoding: OtlpEncoding, rejectedSpans: number, errorMessage: string): Buffer {
  const partial = rejectedSpans > 0 || errorMessage !== "";
  if (encoding === "json") {
    // proto3 JSON writes int64 as a decimal string.
    const body = partial ? { partialSuccess: { rejectedSpans: String(rejectedSpans), errorMessage } } : {};
    return Buffer.from(JSON.stringify(body));
  }
  const type = otlpTypes().ExportTraceServiceResponse;
  const message = type.create(partial ? { partialSuccess: { rejectedSpans, errorMessage } } : {});
  return Buffer.from(type.encode(message).finish());
}

/**
 * google.rpc.Status {code = 1 (int32), message = 2 (string)} from googleapis
 * google/rpc/status.proto; written by hand because it is one varint and one string, and the
 * opentelemetry-proto descriptor does not include it. `details` (3) is never sent.
 */
export function encodeRpcStatus(encoding: OtlpEncoding, code: number, message: string): Buffer {
  if (encoding === "json") return Buffer.from(JSON.stringify({ code, message }));
  const writer = protobuf.Writer.create();
  writer.uint32((1 << 3) | 0).int32(code);
  writer.uint32((2 << 3) | 2).string(message);
  return Buffer.from(writer.finish());
}
