/**
 * Both protocol eras from one server. The MCP SDK 1.x line (1.32.2) speaks the legacy era
 * (an `initialize` handshake, revisions 2024-11-05 … 2025-11-25); revision 2026-07-28 is
 * stateless: no handshake, a `_meta` envelope on every request naming its protocol version and
 * client capabilities, `server/discover` instead of `initialize`, and results that carry
 * `resultType` (plus `ttlMs`/`cacheScope` on the cacheable ones) and the server's identity.
 *
 * The era is decided per message, as a dual-era server must: a request whose `_meta` names a
 * protocol version is modern and is answered here (server/discover, envelope errors) or passed to
 * the SDK server and its answer stamped on the way out; anything else is legacy and passes through
 * untouched. Why here and not the SDK's v2 packages: see README "Development" (cold start, bundle
 * size, the transports already hardened around 1.32.2). Nothing here reaches into the SDK's
 * internals: it sits between a transport and the server as a transport itself.
 */
import type { Transport, TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport.js";
import { SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCMessage, type MessageExtraInfo, type RequestId, type ServerCapabilities } from "@modelcontextprotocol/sdk/types.js";

/** The modern revisions this server speaks. */
export const MODERN_PROTOCOL_VERSIONS: readonly string[] = ["2026-07-28"];

export const PROTOCOL_VERSION_KEY = "io.modelcontextprotocol/protocolVersion";
export const CLIENT_CAPABILITIES_KEY = "io.modelcontextprotocol/clientCapabilities";
export const SERVER_INFO_KEY = "io.modelcontextprotocol/serverInfo";

/** JSON-RPC codes the 2026-07-28 revision defines (spec: basic/index, "Error Codes"). */
export const HEADER_MISMATCH = -32020;
export const UNSUPPORTED_PROTOCOL_VERSION = -32022;
const INVALID_PARAMS = -32602;
/** The legacy era's "resource not found"; 2026-07-28 forbids it and uses -32602. */
const LEGACY_RESOURCE_NOT_FOUND = -32002;

/** Results the revision makes cacheable: they must carry `ttlMs` and `cacheScope`. */
const CACHEABLE = new Set(["server/discover", "tools/list", "prompts/list", "resources/list", "resources/templates/list", "resources/read"]);

export interface ServerIdentity {
  name: string;
  version: string;
  capabilities: ServerCapabilities;
  instructions?: string;
}

/** How long a modern client may reuse an answer, and who may share it (SEP-2549). */
export interface CacheHint {
  ttlMs: number;
  cacheScope: "public" | "private";
}

/**
 * The tool, prompt and template lists and the discovery answer are the same for every caller of a
 * process; a few minutes of reuse saves a round trip per conversation without pinning a stale
 * list for long after an upgrade. Resource reads are traces and service figures: fresh each time,
 * and per caller (an auth token may front the server).
 */
export function cacheHintFor(method: string): CacheHint {
  return method === "resources/read" ? { ttlMs: 0, cacheScope: "private" } : { ttlMs: 300_000, cacheScope: "public" };
}

export interface ErrorMessage {
  jsonrpc: "2.0";
  id: RequestId | null;
  error: { code: number; message: string; data?: unknown };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function metaOf(message: unknown): Record<string, unknown> | undefined {
  if (!isObject(message) || !isObject(message.params)) return undefined;
  const meta = message.params._meta;
  return isObject(meta) ? meta : undefined;
}

/** True when the message claims the per-request envelope (its `_meta` names a protocol version). */
export function claimsModernEra(message: unknown): boolean {
  const meta = metaOf(message);
  return meta !== undefined && PROTOCOL_VERSION_KEY in meta;
}

/** The protocol version a modern message names (undefined when it names none, or not as a string). */
export function claimedVersion(message: unknown): string | undefined {
  const v = metaOf(message)?.[PROTOCOL_VERSION_KEY];
  return typeof v === "string" ? v : undefined;
}

function requestId(message: unknown): RequestId | undefined {
  if (!isObject(message) || typeof message.method !== "string") return undefined;
  return typeof message.id === "string" || typeof message.id === "number" ? message.id : undefined;
}

/** The versions an UnsupportedProtocolVersionError offers: the modern ones first, then the handshake ones. */
export function supportedVersions(): string[] {
  return [...MODERN_PROTOCOL_VERSIONS, ...SUPPORTED_PROTOCOL_VERSIONS];
}

/**
 * The error a modern request gets before any handler runs, or undefined when its envelope is
 * sound: the version must be one this server speaks (-32022, listing the supported ones), and the
 * required client capabilities must be an object (-32602).
 */
export function envelopeError(message: unknown): ErrorMessage | undefined {
  const id = requestId(message) ?? null;
  const meta = metaOf(message)!;
  const version = meta[PROTOCOL_VERSION_KEY];
  if (typeof version !== "string") {
    return { jsonrpc: "2.0", id, error: { code: INVALID_PARAMS, message: `Invalid _meta envelope: '${PROTOCOL_VERSION_KEY}' must be a string` } };
  }
  if (!MODERN_PROTOCOL_VERSIONS.includes(version)) {
    return {
      jsonrpc: "2.0",
      id,
      error: {
        code: UNSUPPORTED_PROTOCOL_VERSION,
        message: `Unsupported protocol version: ${version.slice(0, 64)}`,
        data: { supported: supportedVersions(), requested: version },
      },
    };
  }
  if (!isObject(meta[CLIENT_CAPABILITIES_KEY])) {
    return {
      jsonrpc: "2.0",
      id,
      error: { code: INVALID_PARAMS, message: `Invalid _meta envelope: '${CLIENT_CAPABILITIES_KEY}' (an object) is required by protocol revision ${version}` },
    };
  }
  return undefined;
}

/** What `server/discover` answers. */
export function discoverResult(identity: ServerIdentity): Record<string, unknown> {
  return stampResult("server/discover", {
    supportedVersions: [...MODERN_PROTOCOL_VERSIONS],
    capabilities: identity.capabilities,
    ...(identity.instructions ? { instructions: identity.instructions } : {}),
  }, identity);
}

/** A result as the modern era carries it: `resultType`, cache hints where required, the server's identity. */
export function stampResult(method: string, result: Record<string, unknown>, identity: Pick<ServerIdentity, "name" | "version">): Record<string, unknown> {
  const meta = isObject(result._meta) ? result._meta : {};
  return {
    ...result,
    resultType: typeof result.resultType === "string" ? result.resultType : "complete",
    ...(CACHEABLE.has(method) ? cacheHintFor(method) : {}),
    _meta: { ...meta, [SERVER_INFO_KEY]: { name: identity.name, version: identity.version } },
  };
}

/**
 * A transport between the SDK server and the real one that serves modern requests beside legacy
 * ones: server/discover and envelope errors are answered here, other modern requests reach the
 * server and their answers are stamped. Handlers already set on the inner transport (the stdio
 * session's request accounting) keep running first.
 */
export class DualEraTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  /**
   * Modern requests in flight: id -> method, so their answers can be stamped. Ids are the client's;
   * one that interleaves both eras on a connection with the same id in flight would only see its
   * legacy answer carry the modern fields too.
   */
  private readonly modern = new Map<RequestId, string>();

  constructor(
    private readonly inner: Transport,
    private readonly identity: ServerIdentity,
  ) {}

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }

  async start(): Promise<void> {
    const previous = { message: this.inner.onmessage, close: this.inner.onclose, error: this.inner.onerror };
    this.inner.onmessage = (message, extra) => {
      previous.message?.(message, extra);
      this.receive(message, extra);
    };
    this.inner.onclose = () => {
      previous.close?.();
      this.onclose?.();
    };
    this.inner.onerror = (error) => {
      previous.error?.(error);
      this.onerror?.(error);
    };
    await this.inner.start();
  }

  private receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    const id = requestId(message);
    const method = (message as { method?: string }).method;
    if (id === undefined || method === undefined || !(claimsModernEra(message) || method === "server/discover")) {
      this.onmessage?.(message, extra);
      return;
    }
    // server/discover is the dual-era probe: answered even without an envelope (stdio clients probe with it).
    const invalid = claimsModernEra(message) ? envelopeError(message) : undefined;
    if (invalid) {
      void this.inner.send(invalid as JSONRPCMessage).catch((err: unknown) => this.onerror?.(err as Error));
      return;
    }
    if (method === "server/discover") {
      void this.inner.send({ jsonrpc: "2.0", id, result: discoverResult(this.identity) } as JSONRPCMessage).catch((err: unknown) => this.onerror?.(err as Error));
      return;
    }
    this.modern.set(id, method);
    this.onmessage?.(message, extra);
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const m = message as { id?: RequestId; result?: Record<string, unknown>; error?: { code: number } };
    const method = m.id !== undefined && ("result" in m || "error" in m) ? this.modern.get(m.id) : undefined;
    if (method === undefined) return this.inner.send(message, options);
    this.modern.delete(m.id!);
    if (m.result) return this.inner.send({ ...message, result: stampResult(method, m.result, this.identity) } as JSONRPCMessage, options);
    if (m.error?.code === LEGACY_RESOURCE_NOT_FOUND) {
      return this.inner.send({ ...message, error: { ...m.error, code: INVALID_PARAMS } } as JSONRPCMessage, options);
    }
    return this.inner.send(message, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
