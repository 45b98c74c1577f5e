/** One entry point for both wires of an OTLP/HTTP trace export. */
import type { DecodedSpans } from "./decoded-spans.js";
import type { OtlpEncoding } from "./export-response.js";
import { decodeJsonExportBytes } from "./json.js";
import { decodeProtoExportRequest } from "./protobuf.js";

/** Decodes an ExportTraceServiceRequest body; throws OtlpDecodeError when it is not one. */
export function decodeExportRequest(encoding: OtlpEncoding, body: Uint8Array): DecodedSpans {
  return encoding === "protobuf" ? decodeProtoExportRequest(body) : decodeJsonExportBytes(body);
}
