/**
 * The fields of protobufjs-decoded OTLP messages that decoding reads. protobufjs puts proto3
 * defaults on the prototype, so absent scalars read as 0 / "" / empty bytes, and a oneof's
 * virtual property (`AnyValue.value`) names the member that is set. 64-bit integers are long.js
 * Longs (protobufjs depends on long).
 */
export interface PbLong {
  low: number;
  high: number;
  unsigned: boolean;
  toString(): string;
}

export interface PbAnyValue {
  value?: "stringValue" | "boolValue" | "intValue" | "doubleValue" | "arrayValue" | "kvlistValue" | "bytesValue" | "stringValueStrindex";
  stringValue: string;
  boolValue: boolean;
  intValue: PbLong | number;
  doubleValue: number;
  arrayValue?: { values?: PbAnyValue[] } | null;
  kvlistValue?: { values?: PbKeyValue[] } | null;
  bytesValue: Uint8Array;
}

export interface PbKeyValue {
  key: string;
  value?: PbAnyValue | null;
}

export interface PbEvent {
  timeUnixNano: PbLong | number;
  name: string;
  attributes?: PbKeyValue[];
}

export interface PbLink {
  traceId: Uint8Array;
  spanId: Uint8Array;
  traceState: string;
  attributes?: PbKeyValue[];
}

export interface PbSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  traceState: string;
  parentSpanId: Uint8Array;
  name: string;
  kind: number;
  startTimeUnixNano: PbLong | number;
  endTimeUnixNano: PbLong | number;
  attributes?: PbKeyValue[];
  events?: PbEvent[];
  links?: PbLink[];
  status?: { message: string; code: number } | null;
}

export interface PbScopeSpans {
  scope?: { name: string; version: string } | null;
  spans?: PbSpan[];
}

export interface PbResourceSpans {
  resource?: { attributes?: PbKeyValue[] } | null;
  scopeSpans?: PbScopeSpans[];
}

export interface PbExportTraceServiceRequest {
  resourceSpans?: PbResourceSpans[];
}
