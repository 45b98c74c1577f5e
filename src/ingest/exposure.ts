/** Warnings about how the receiver is exposed; logged loudly at start (wording as src/mcp/http.ts). */

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || h.startsWith("127.");
}

export function receiverExposureWarnings(host: string, port: number, authToken: string | undefined): string[] {
  if (isLoopback(host) || authToken) return [];
  return [
    `SECURITY WARNING: the OTLP receiver binds ${host}:${port} (not loopback) without an auth token. Anyone who can reach this ` +
      "port can write spans into your trace store. Set --auth-token / MCP_AUTH_TOKEN, or bind 127.0.0.1 (--otlp-listen 127.0.0.1:4318).",
  ];
}
