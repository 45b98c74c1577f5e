/** The receiver's address as `--otlp-listen` / `OTLP_LISTEN` give it: HOST:PORT, [IPv6]:PORT, or none. */

export const DEFAULT_OTLP_LISTEN = "127.0.0.1:4318";

export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * "127.0.0.1:4318" -> {host, port}; "[::1]:4318" -> {host: "::1", port}; "none" -> "none" (no
 * receiver). Throws an Error that says what is accepted for anything else.
 */
export function parseListenAddress(value: string): ListenAddress | "none" {
  const text = value.trim();
  if (text.toLowerCase() === "none") return "none";
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    throw new Error(`invalid OTLP listen address '${value}': use HOST:PORT (e.g. ${DEFAULT_OTLP_LISTEN}, [::1]:4318, 0.0.0.0:4318) or 'none' to turn the receiver off`);
  }
  return { host: match[1] ?? match[2]!, port };
}
