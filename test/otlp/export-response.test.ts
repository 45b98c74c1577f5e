import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { describe, expect, it } from "vitest";
import { encodeExportResponse, encodeRpcStatus, RPC_CODE } from "../../src/otlp/export-response.js";

describe("ExportTraceServiceResponse", () => {
  it("is empty on full success, in both encodings", () => {
    expect(encodeExportResponse("protobuf", 0, "")).toHaveLength(0);
    expect(JSON.parse(encodeExportResponse("json", 0, "").toString())).toEqual({});
  });

  it("carries partial_success that the OTel JS exporters read back", () => {
    const proto = ProtobufTraceSerializer.deserializeResponse(encodeExportResponse("protobuf", 3, "3 spans rejected: invalid span id (3)"));
    expect(proto.partialSuccess).toEqual({ rejectedSpans: 3, errorMessage: "3 spans rejected: invalid span id (3)" });
    const json = JsonTraceSerializer.deserializeResponse(encodeExportResponse("json", 3, "x"));
    expect(json).toEqual({ partialSuccess: { rejectedSpans: "3", errorMessage: "x" } });
  });
});

describe("google.rpc.Status", () => {
  it("encodes code (field 1, varint) and message (field 2, string)", () => {
    // 0x08 = field 1 varint, 0x12 = field 2 length-delimited.
    expect([...encodeRpcStatus("protobuf", RPC_CODE.INVALID_ARGUMENT, "bad")]).toEqual([0x08, 0x03, 0x12, 0x03, 0x62, 0x61, 0x64]);
    expect(JSON.parse(encodeRpcStatus("json", RPC_CODE.UNAVAILABLE, "later").toString())).toEqual({ code: 14, message: "later" });
  });
});
