/**
 * OTLP trace and span ids. Protobuf carries raw bytes; OTLP/JSON carries hex (the spec) or base64
 * (what Tempo's gogo/jsonpb writes): both become lowercase hex, so ids agree across backends.
 *
 * Strict readers answer "" for an absent id (empty or all zeros, OTLP's "no parent") and undefined
 * for a malformed one (wrong length, not hex or base64), so callers can reject the span.
 */

const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const ALL_ZERO = /^0*$/;

/** An id from OTLP/JSON: exactly `bytes` bytes as hex or base64; "" when absent; undefined when malformed. */
export function jsonIdToHex(raw: unknown, bytes: number): string | undefined {
  if (raw === undefined || raw === null || raw === "") return "";
  if (typeof raw !== "string") return undefined;
  let hex: string;
  if (raw.length === bytes * 2 && HEX.test(raw)) hex = raw.toLowerCase();
  else {
    if (!BASE64.test(raw)) return undefined;
    const buf = Buffer.from(raw, "base64");
    if (buf.length !== bytes) return undefined;
    hex = buf.toString("hex");
  }
  return ALL_ZERO.test(hex) ? "" : hex;
}

/** An id from protobuf bytes: exactly `bytes` long; "" when absent or all zeros; undefined otherwise. */
export function bytesIdToHex(raw: Uint8Array | undefined, bytes: number): string | undefined {
  if (!raw || raw.length === 0) return "";
  if (raw.length !== bytes) return undefined;
  let zero = true;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== 0) {
      zero = false;
      break;
    }
  }
  if (zero) return "";
  return Buffer.isBuffer(raw) ? raw.toString("hex") : Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString("hex");
}

/** OTLP/JSON id as lowercase hex, or undefined when absent, all zeros or malformed. */
export function otlpIdToHex(raw: unknown, bytes: number): string | undefined {
  return jsonIdToHex(raw, bytes) || undefined;
}
