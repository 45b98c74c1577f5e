/** Reads the Content-Type and Content-Encoding of an OTLP/HTTP request. */
import type { OtlpEncoding } from "../otlp/export-response.js";

export type BodyCoding = "identity" | "gzip" | "deflate";

/** `application/x-protobuf` / `application/json` (parameters such as charset allowed); undefined otherwise. */
export function otlpEncodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  const type = (contentType ?? "").split(";", 1)[0]!.trim().toLowerCase();
  if (type === "application/x-protobuf" || type === "application/protobuf") return "protobuf";
  if (type === "application/json") return "json";
  return undefined;
}

/** gzip (what OTel SDKs and the Collector send), deflate, or none; undefined for anything else. */
export function bodyCodingOf(contentEncoding: string | undefined): BodyCoding | undefined {
  const coding = (contentEncoding ?? "").trim().toLowerCase();
  if (coding === "" || coding === "identity") return "identity";
  if (coding === "gzip" || coding === "x-gzip") return "gzip";
  if (coding === "deflate") return "deflate";
  return undefined;
}
