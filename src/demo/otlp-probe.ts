/**
 * Checks that a URL is an OTLP/HTTP trace receiver before demo-data sends anything to it.
 *
 * Why: the OpenTelemetry exporter counts any 2xx as a successful export and only logs a body it
 * cannot read. Jaeger's UI (port 16686) answers a POST to /v1/traces with 200 and its HTML page,
 * so without this check demo-data reported "Sent 60 traces" while nothing was stored. One POST of
 * an empty ExportTraceServiceRequest must come back 2xx with an OTLP answer: JSON (an object with
 * at most `partialSuccess`) or protobuf. It also fails fast on a dead port, where the exporter
 * would retry for seconds first. (undici rather than fetch: fetch refuses "bad ports" such as
 * 6000 or 10080, which a receiver may well use.)
 */
import { Agent, request } from "undici";

export interface ProbeOptions {
  timeoutMs: number;
}

const NETWORK_HINTS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "DNS lookup failed",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  UND_ERR_SOCKET: "connection closed by the server",
  UND_ERR_CONNECT_TIMEOUT: "connect timeout",
};

const LISTENING_HINT = "Is an OTLP/HTTP receiver (e.g. Jaeger with OTLP enabled) listening there?";
const OTLP_PORT_HINT = "Point --otlp-endpoint at an OTLP/HTTP receiver (Jaeger and the OpenTelemetry Collector listen on port 4318), not a UI or query port.";

/** Why the URL is not a usable receiver (`reason`, no prefix) and what to do about it (`hint`). */
export class ProbeFailure extends Error {
  override name = "ProbeFailure";
  constructor(
    readonly reason: string,
    readonly hint: string,
  ) {
    super(`${reason}. ${hint}`);
  }
}

/** Up to 60 characters of a body, on one line, for messages. */
function snippet(body: string): string {
  const flat = body.replace(/\s+/g, " ").trim();
  return flat.length > 60 ? `${flat.slice(0, 60)}...` : flat;
}

function networkReason(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string } } | undefined;
  if (e?.name === "TimeoutError" || e?.code === "UND_ERR_HEADERS_TIMEOUT" || e?.code === "UND_ERR_BODY_TIMEOUT") return `no answer within ${timeoutMs} ms`;
  const code = e?.code ?? e?.cause?.code;
  if (code && NETWORK_HINTS[code]) return `${NETWORK_HINTS[code]}, ${code}`;
  return e?.message || String(err);
}

/** Keys an ExportTraceServiceResponse may carry in proto3 JSON. */
const RESPONSE_KEYS = new Set(["partialSuccess", "partial_success"]);

/**
 * Resolves when `url` answers like an OTLP/HTTP trace receiver; otherwise rejects with a
 * ProbeFailure, e.g. reason "it answered HTTP 200 with text/html ("<!doctype html>..."), not an OTLP response".
 */
export async function probeOtlpReceiver(url: string, options: ProbeOptions): Promise<void> {
  // Its own pool, closed afterwards: an idle keep-alive socket would hold the process open.
  const dispatcher = new Agent({ connect: { timeout: options.timeoutMs } });
  let status: number;
  let type: string;
  let body: string;
  try {
    const res = await request(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ resourceSpans: [] }),
      dispatcher,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    status = res.statusCode;
    const header = res.headers["content-type"];
    type = ((Array.isArray(header) ? header[0] : header) ?? "").split(";")[0]!.trim().toLowerCase();
    body = await res.body.text();
  } catch (err) {
    throw new ProbeFailure(networkReason(err, options.timeoutMs), LISTENING_HINT);
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
  if (status < 200 || status > 299) {
    throw new ProbeFailure(`HTTP ${status}${body ? `: ${snippet(body)}` : ""}`, LISTENING_HINT);
  }
  if (type === "application/x-protobuf" || type === "application/protobuf") return;
  if (type !== "application/json") {
    throw new ProbeFailure(`it answered HTTP ${status} with ${type || "no content type"}${body ? ` ("${snippet(body)}")` : ""}, not an OTLP response`, OTLP_PORT_HINT);
  }
  if (body.trim() === "") return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ProbeFailure(`it answered HTTP ${status} with JSON that does not parse ("${snippet(body)}"), not an OTLP response`, OTLP_PORT_HINT);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed) || Object.keys(parsed).some((k) => !RESPONSE_KEYS.has(k))) {
    throw new ProbeFailure(`it answered HTTP ${status} with JSON that is not an OTLP ExportTraceServiceResponse ("${snippet(body)}")`, OTLP_PORT_HINT);
  }
}
