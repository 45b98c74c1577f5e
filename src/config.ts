/**
 * Configuration is resolved and validated once, here, from CLI flags and the environment
 * (the real environment wins over .env, which the CLI merges beneath it). Precedence per setting:
 * flag > environment > .env > default. A flag also rescues a bad environment value, because the
 * environment is only read when the flag is absent. Errors name both the flag and the env var.
 */
import { closeSync, openSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { loadApiKeys } from "./access/api-keys.js";
import { BACKEND_KINDS, BACKENDS, descriptorOf, type BackendKind } from "./backends/registry.js";
import type { ClickHouseTableOptions } from "./backends/trace-backend.js";
import { ConfigError } from "./errors.js";
import { DEFAULT_OTLP_LISTEN, parseListenAddress, type ListenAddress } from "./ingest/listen-address.js";
import { defaultDataDir } from "./store/data-dir.js";
import { LOG_LEVELS, type LogLevel } from "./logger.js";
import { loadRedactRules, type RedactRules } from "./redact/custom-rules.js";
import { DEFAULT_REDACT_LEVEL, REDACT_LEVELS, type RedactLevel } from "./redact/levels.js";

export const TRANSPORTS = ["stdio", "http"] as const;
export type Transport = (typeof TRANSPORTS)[number];

export interface BackendConfig {
  type: BackendKind;
  url: string;
  apiKey?: string;
  timeoutMs: number;
  environments: string[];
  headers: Record<string, string>;
  /** Largest backend response body, in bytes; absent: the HTTP layer's default (64 MiB). */
  maxResponseBytes?: number;
  /** ClickHouse only: the database and tables the Collector's clickhouseexporter writes. */
  clickhouse?: ClickHouseTableOptions;
  /** The embedded store (type "local"). */
  local?: LocalStoreConfig;
  /** True when no backend was configured at all, so the local store was chosen by default. */
  implicit?: boolean;
}

export interface LocalStoreConfig {
  /** Absolute path of the data directory. */
  dataDir: string;
  /** Where the OTLP/HTTP receiver listens while this process owns the store; "none": never receive. */
  otlpListen: ListenAddress | "none";
  /** Bearer token the receiver requires (--otlp-auth-token), if any. */
  otlpAuthToken?: string;
  retentionMs: number;
  maxBytes: number;
}

export interface Config {
  backend: BackendConfig;
  logLevel: LogLevel;
  /** Upper bound on traces one tool call reads from the backend. */
  maxTracesPerQuery: number;
  /** Trace fetches in flight for the many-trace tools. */
  fetchConcurrency: number;
  /** Budget for one tool result's text, in characters. */
  maxResponseChars: number;
  /** Render uniform lists in tool text as {columns, rows}. */
  compressResponses: boolean;
  transport: Transport;
  host: string;
  port: number;
  authToken?: string;
  /** --pricing / LLM_PRICING_FILE: a JSON file of price overrides (loaded by genai/pricing-file.ts). */
  pricingFile?: string;
  /** What tool answers hide: secrets (default), pii, content, or none. */
  redact: RedactLevel;
  /** Custom patterns and attribute names (--redact-rules), validated at start. */
  redactRules?: RedactRules;
  /** Scoped API keys for the HTTP transport (absolute path; re-read when it changes). */
  apiKeysFile?: string;
  /** Tool-call audit log as JSON lines (absolute path). */
  auditLog?: string;
}

/** Raw option values from commander (strings; `header` repeatable). */
export interface CliFlags {
  backend?: string;
  url?: string;
  apiKey?: string;
  environments?: string;
  timeout?: string;
  logLevel?: string;
  header?: string[];
  transport?: string;
  host?: string;
  port?: string;
  authToken?: string;
  concurrency?: string;
  maxResponseChars?: string;
  /** --max-traces: SETTINGS and --help name it, so resolveConfig honours it when the CLI passes it. */
  maxTraces?: string;
  /** --compress-responses (a switch). */
  compressResponses?: boolean;
  pricing?: string;
  /** --backend-max-response-mb. */
  backendMaxResponseMb?: string;
  redact?: string;
  redactRules?: string;
  apiKeysFile?: string;
  auditLog?: string;
  dataDir?: string;
  otlpListen?: string;
  otlpAuthToken?: string;
  retention?: string;
  storeMaxMb?: string;
  clickhouseDatabase?: string;
  clickhouseTracesTable?: string;
  clickhouseTraceIdTable?: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Flag and env var of every setting, for messages and --help. */
export const SETTINGS = {
  backend: { flag: "--backend", env: "BACKEND_TYPE" },
  url: { flag: "--url", env: "BACKEND_URL" },
  apiKey: { flag: "--api-key", env: "BACKEND_API_KEY" },
  environments: { flag: "--environments", env: "BACKEND_ENVIRONMENTS" },
  timeout: { flag: "--timeout", env: "BACKEND_TIMEOUT" },
  header: { flag: "--header", env: "BACKEND_HEADERS" },
  maxResponseMb: { flag: "--backend-max-response-mb", env: "BACKEND_MAX_RESPONSE_MB" },
  logLevel: { flag: "--log-level", env: "LOG_LEVEL" },
  maxTraces: { flag: "--max-traces", env: "MAX_TRACES_PER_QUERY" },
  concurrency: { flag: "--concurrency", env: "FETCH_CONCURRENCY" },
  maxResponseChars: { flag: "--max-response-chars", env: "MAX_RESPONSE_CHARS" },
  compressResponses: { flag: "--compress-responses", env: "COMPRESS_RESPONSES" },
  transport: { flag: "--transport", env: "MCP_TRANSPORT" },
  host: { flag: "--host", env: "MCP_HOST" },
  port: { flag: "--port", env: "MCP_PORT" },
  authToken: { flag: "--auth-token", env: "MCP_AUTH_TOKEN" },
  pricing: { flag: "--pricing", env: "LLM_PRICING_FILE" },
  redact: { flag: "--redact", env: "REDACT" },
  redactRules: { flag: "--redact-rules", env: "REDACT_RULES_FILE" },
  apiKeysFile: { flag: "--api-keys-file", env: "MCP_API_KEYS_FILE" },
  auditLog: { flag: "--audit-log", env: "MCP_AUDIT_LOG" },
  dataDir: { flag: "--data-dir", env: "DATA_DIR" },
  otlpListen: { flag: "--otlp-listen", env: "OTLP_LISTEN" },
  otlpAuthToken: { flag: "--otlp-auth-token", env: "OTLP_AUTH_TOKEN" },
  retention: { flag: "--retention", env: "DATA_RETENTION" },
  storeMaxMb: { flag: "--store-max-mb", env: "STORE_MAX_MB" },
  clickhouseDatabase: { flag: "--clickhouse-database", env: "CLICKHOUSE_DATABASE" },
  clickhouseTracesTable: { flag: "--clickhouse-traces-table", env: "CLICKHOUSE_TRACES_TABLE" },
  clickhouseTraceIdTable: { flag: "--clickhouse-trace-id-table", env: "CLICKHOUSE_TRACE_ID_TABLE" },
} as const;

type SettingName = keyof typeof SETTINGS;

/** Default base URL per backend that has one (from the registry). */
export const DEFAULT_URLS: Readonly<Partial<Record<BackendKind, string>>> = Object.fromEntries(
  BACKENDS.filter((b) => b.defaultUrl !== undefined).map((b) => [b.kind, b.defaultUrl!]),
);

export const DEFAULTS = {
  timeoutSeconds: 30,
  environments: ["prd"],
  logLevel: "info" as LogLevel,
  maxTracesPerQuery: 1000,
  fetchConcurrency: 8,
  /** About 20,000 tokens at ~4 characters per token. */
  maxResponseChars: 80_000,
  /** Largest backend answer, in MiB (1,000 traces of 30 spans from Jaeger are about 13 MB). */
  maxResponseMb: 64,
  host: "127.0.0.1",
  port: 8000,
  otlpListen: DEFAULT_OTLP_LISTEN,
  retention: "7d",
  storeMaxMb: 2048,
  /** The clickhouseexporter's defaults. */
  clickhouseDatabase: "otel",
  clickhouseTracesTable: "otel_traces",
  clickhouseTraceIdTable: "otel_traces_trace_id_ts",
};

/** A ClickHouse database or table name as one identifier (it travels as an {name:Identifier} parameter). */
const CLICKHOUSE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_$-]{0,254}$/;

function clickhouseName(name: SettingName, raw: Raw | undefined, fallback: string): string {
  if (!raw) return fallback;
  const v = raw.value.trim();
  if (!CLICKHOUSE_NAME.test(v)) return fail(name, raw, "must be one database or table name: letters, digits, _, $ and - (no dots or spaces)");
  return v;
}

interface Raw {
  value: string;
  from: "flag" | "env";
}

function pick(name: SettingName, flag: string | undefined, env: Env): Raw | undefined {
  if (flag !== undefined && flag !== "") return { value: flag, from: "flag" };
  const v = env[SETTINGS[name].env];
  if (v !== undefined && v !== "") return { value: v, from: "env" };
  return undefined;
}

function fail(name: SettingName, raw: Raw, why: string): never {
  const s = SETTINGS[name];
  const source = raw.from === "flag" ? `from ${s.flag}` : `from ${s.env}`;
  throw new ConfigError(`Invalid value '${raw.value}' for ${s.flag} / ${s.env} (${source}): ${why}`);
}

function choice<T extends string>(name: SettingName, raw: Raw | undefined, allowed: readonly T[], fallback: T, normalize = (v: string) => v): T {
  if (!raw) return fallback;
  const v = normalize(raw.value);
  if ((allowed as readonly string[]).includes(v)) return v as T;
  return fail(name, raw, `must be one of ${allowed.join(", ")}`);
}

function integer(name: SettingName, raw: Raw | undefined, min: number, max: number, fallback: number): number {
  if (!raw) return fallback;
  const n = Number(raw.value.trim());
  if (!/^-?\d+$/.test(raw.value.trim()) || n < min || n > max) {
    return fail(name, raw, `must be a whole number from ${min} to ${max}`);
  }
  return n;
}

function httpUrl(name: SettingName, input: Raw): string {
  const raw: Raw = { ...input, value: redactUrl(input.value) };
  let u: URL;
  try {
    u = new URL(input.value.trim());
  } catch {
    return fail(name, raw, "must be an absolute http(s) URL, e.g. http://localhost:16686");
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return fail(name, raw, "URL must use http or https scheme");
  return input.value.trim().replace(/\/+$/, "");
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Parses "Name: value" entries (newline- or comma-separated) or a JSON object of header names to values.
 * A comma starts a new entry only when a "Name:" follows it, so "Accept: a, b" stays one header.
 * Error messages may name a header but never quote a value: values are often credentials.
 */
export function parseHeaders(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    parseJsonHeaders(trimmed, out);
    return out;
  }
  const entries = trimmed.split(/\n|,(?=\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*:)/);
  entries.forEach((entry, i) => {
    if (entry.trim() === "") return;
    parseHeaderEntry(entry, out, entries.length > 1 ? `entry ${i + 1}` : "the value");
  });
  return out;
}

function parseJsonHeaders(text: string, out: Record<string, string>): void {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the surrounding text, which may be a secret.
    throw new Error("is not a valid JSON object");
  }
  if (!obj || typeof obj !== "object" || Array.isArray(obj)) throw new Error("expected a JSON object");
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v !== "string") throw new Error(`header '${k}' must have a string value`);
    addHeader(out, k, v);
  }
}

function parseHeaderEntry(entry: string, out: Record<string, string>, what: string): void {
  const idx = entry.indexOf(":");
  if (idx <= 0) throw new Error(`${what} is not in the form 'Name: value'`);
  addHeader(out, entry.slice(0, idx), entry.slice(idx + 1));
}

function addHeader(out: Record<string, string>, name: string, value: string): void {
  const n = name.trim();
  // An invalid name is not quoted either: "Bearer abc123: x" would put a token in the message.
  if (!HEADER_NAME.test(n)) throw new Error("a header name may only contain letters, digits and !#$%&'*+.^_`|~-");
  out[n.toLowerCase()] = value.trim();
}

/** One --header flag: a single "Name: value" (its value may contain commas) or a JSON object. */
function parseHeaderFlag(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) parseJsonHeaders(trimmed, out);
  else parseHeaderEntry(trimmed, out, "the value");
  return out;
}

/** Userinfo in a URL is a credential: keep it out of error messages. */
function redactUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, "$1***@");
}

const LOG_LEVEL_ALIASES: Readonly<Record<string, LogLevel>> = {
  debug: "debug",
  info: "info",
  warn: "warn",
  warning: "warn",
  error: "error",
};

/** Loads a file setting; its loader's one-line ConfigError (file, entry, field) is prefixed with the flag and env var. */
function fromFile<T>(name: SettingName, raw: Raw, load: (file: string) => T): T {
  try {
    return load(resolvePath(raw.value.trim()));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const s = SETTINGS[name];
    throw new ConfigError(`${s.flag} / ${s.env} (from ${raw.from === "flag" ? s.flag : s.env}): ${err.message}`);
  }
}

/** The audit log must be writable before the server starts; it is created 0600 (mode applies to a new file only). */
function auditLogPath(raw: Raw): string {
  const file = resolvePath(raw.value.trim());
  try {
    closeSync(openSync(file, "a", 0o600));
  } catch (err) {
    fail("auditLog", raw, `cannot open the file for appending (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return file;
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** "7d", "36h", "90m", "2w" in milliseconds. */
function duration(name: SettingName, raw: Raw): number {
  const m = /^\s*(\d+)\s*([mhdw])\s*$/i.exec(raw.value);
  const ms = m ? Number(m[1]) * DURATION_UNITS_MS[m[2]!.toLowerCase()]! : 0;
  if (!m || ms <= 0) return fail(name, raw, "must be a duration like 7d, 36h, 90m or 2w");
  return ms;
}

/** The embedded store's settings; read only for the local backend. */
function localStoreConfig(flags: CliFlags, env: Env): LocalStoreConfig {
  const dirRaw = pick("dataDir", flags.dataDir, env);
  const dataDir = resolvePath(dirRaw ? dirRaw.value.trim() : defaultDataDir(env as NodeJS.ProcessEnv));
  const listenRaw = pick("otlpListen", flags.otlpListen, env);
  let otlpListen: ListenAddress | "none";
  try {
    otlpListen = parseListenAddress(listenRaw ? listenRaw.value : DEFAULTS.otlpListen);
  } catch (err) {
    return fail("otlpListen", listenRaw!, (err as Error).message.replace(/^invalid OTLP listen address '[^']*': /, ""));
  }
  const retentionRaw = pick("retention", flags.retention, env);
  const retentionMs = duration("retention", retentionRaw ?? { value: DEFAULTS.retention, from: "flag" });
  const maxMb = integer("storeMaxMb", pick("storeMaxMb", flags.storeMaxMb, env), 16, 10_485_760, DEFAULTS.storeMaxMb);
  const out: LocalStoreConfig = { dataDir, otlpListen, retentionMs, maxBytes: maxMb * 1024 * 1024 };
  // One token can guard both doors: the receiver takes --auth-token unless it has its own.
  const token = pick("otlpAuthToken", flags.otlpAuthToken, env)?.value ?? pick("authToken", flags.authToken, env)?.value;
  if (token) out.otlpAuthToken = token;
  return out;
}

export function resolveConfig(flags: CliFlags, env: Env): Config {
  const urlRaw = pick("url", flags.url, env);
  // No backend and no URL: the embedded store. A URL alone means Jaeger, as in the original.
  const backendRaw = pick("backend", flags.backend, env);
  const type = choice("backend", backendRaw, BACKEND_KINDS, urlRaw ? "jaeger" : "local");
  if (type === "local" && urlRaw) fail("url", urlRaw, "the local backend reads the embedded store and has no URL: use --data-dir for its location, or --backend jaeger|tempo|traceloop|clickhouse for a remote one");
  const url = urlRaw ? httpUrl("url", urlRaw) : (descriptorOf(type).defaultUrl ?? "");
  const apiKey = pick("apiKey", flags.apiKey, env)?.value;

  const timeoutRaw = pick("timeout", flags.timeout, env);
  let timeoutSeconds = DEFAULTS.timeoutSeconds;
  if (timeoutRaw) {
    // Decimal only: Number() would also take "0x1e" as 30 seconds.
    const n = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?\s*$/i.test(timeoutRaw.value) ? Number(timeoutRaw.value) : Number.NaN;
    if (!Number.isFinite(n) || n <= 0 || n > 300) fail("timeout", timeoutRaw, "must be a number of seconds greater than 0 and at most 300");
    timeoutSeconds = n;
  }

  const envRaw = pick("environments", flags.environments, env);
  const environments = envRaw ? envRaw.value.split(",").map((s) => s.trim()).filter(Boolean) : [...DEFAULTS.environments];
  if (envRaw && environments.length === 0) fail("environments", envRaw, "must list at least one environment, e.g. prd,staging");

  // Extra headers: BACKEND_HEADERS first, then each --header (a flag overrides the same header name).
  const headers: Record<string, string> = {};
  const envHeaders = env[SETTINGS.header.env];
  if (envHeaders) {
    try {
      Object.assign(headers, parseHeaders(envHeaders));
    } catch (err) {
      fail("header", { value: "(BACKEND_HEADERS)", from: "env" }, `${(err as Error).message}; use 'Name: value' entries or a JSON object`);
    }
  }
  for (const h of flags.header ?? []) {
    try {
      Object.assign(headers, parseHeaderFlag(h));
    } catch (err) {
      // Quote at most the header name: the rest of a malformed flag may be a credential.
      const name = h.includes(":") ? h.slice(0, h.indexOf(":")).trim() : "";
      const shown = HEADER_NAME.test(name) ? `${name}: ...` : "(malformed header)";
      fail("header", { value: shown, from: "flag" }, `${(err as Error).message}; use --header 'Name: value'`);
    }
  }

  const logLevel = choice("logLevel", pick("logLevel", flags.logLevel, env), LOG_LEVELS, DEFAULTS.logLevel, (v) =>
    LOG_LEVEL_ALIASES[v.trim().toLowerCase()] ?? v,
  );
  const maxTracesPerQuery = integer("maxTraces", pick("maxTraces", flags.maxTraces, env), 1, 1000, DEFAULTS.maxTracesPerQuery);
  const fetchConcurrency = integer("concurrency", pick("concurrency", flags.concurrency, env), 1, 64, DEFAULTS.fetchConcurrency);
  const maxResponseChars = integer("maxResponseChars", pick("maxResponseChars", flags.maxResponseChars, env), 2000, 10_000_000, DEFAULTS.maxResponseChars);
  const compressRaw = flags.compressResponses ? undefined : pick("compressResponses", undefined, env);
  let compressResponses = flags.compressResponses === true;
  if (compressRaw) {
    const v = compressRaw.value.trim().toLowerCase();
    if (["true", "1", "yes", "on"].includes(v)) compressResponses = true;
    else if (!["false", "0", "no", "off"].includes(v)) fail("compressResponses", compressRaw, "must be true or false");
  }
  const transport = choice("transport", pick("transport", flags.transport, env), TRANSPORTS, "stdio", (v) => v.trim().toLowerCase());
  const hostRaw = pick("host", flags.host, env);
  const host = hostRaw ? hostRaw.value.trim() : DEFAULTS.host;
  const port = integer("port", pick("port", flags.port, env), 0, 65535, DEFAULTS.port);
  const authToken = pick("authToken", flags.authToken, env)?.value;
  const pricingRaw = pick("pricing", flags.pricing, env);
  const pricingFile = pricingRaw?.value.trim();
  if (pricingRaw && !pricingFile) fail("pricing", pricingRaw, "must name a JSON file of price overrides");
  const redact = choice("redact", pick("redact", flags.redact, env), REDACT_LEVELS, DEFAULT_REDACT_LEVEL, (v) => v.trim().toLowerCase());
  const rulesRaw = pick("redactRules", flags.redactRules, env);
  const redactRules = rulesRaw ? fromFile("redactRules", rulesRaw, loadRedactRules) : undefined;
  const keysRaw = pick("apiKeysFile", flags.apiKeysFile, env);
  // Read once here so a malformed file stops the server at start; the HTTP transport re-reads and watches it.
  const apiKeysFile = keysRaw ? fromFile("apiKeysFile", keysRaw, (file) => (loadApiKeys(file), file)) : undefined;
  const auditRaw = pick("auditLog", flags.auditLog, env);
  const auditLog = auditRaw ? auditLogPath(auditRaw) : undefined;

  if (descriptorOf(type).requiresApiKey && !apiKey) {
    throw new ConfigError(`The ${type} backend needs an API key: pass --api-key or set BACKEND_API_KEY`);
  }

  const maxResponseRaw = pick("maxResponseMb", flags.backendMaxResponseMb, env);
  const maxResponseMb = integer("maxResponseMb", maxResponseRaw, 1, 4096, DEFAULTS.maxResponseMb);

  const backend: BackendConfig = { type, url, timeoutMs: Math.round(timeoutSeconds * 1000), environments, headers };
  if (apiKey) backend.apiKey = apiKey;
  if (maxResponseRaw) backend.maxResponseBytes = maxResponseMb * 1024 * 1024;
  if (type === "local") {
    backend.local = localStoreConfig(flags, env);
    // Messages name the store by its directory.
    backend.url = pathToFileURL(backend.local.dataDir).href;
    if (!backendRaw) backend.implicit = true;
  }
  // Validated whatever the backend, so a typo is reported before the backend is switched to ClickHouse.
  const clickhouse: ClickHouseTableOptions = {
    database: clickhouseName("clickhouseDatabase", pick("clickhouseDatabase", flags.clickhouseDatabase, env), DEFAULTS.clickhouseDatabase),
    tracesTable: clickhouseName("clickhouseTracesTable", pick("clickhouseTracesTable", flags.clickhouseTracesTable, env), DEFAULTS.clickhouseTracesTable),
    traceIdTable: clickhouseName("clickhouseTraceIdTable", pick("clickhouseTraceIdTable", flags.clickhouseTraceIdTable, env), DEFAULTS.clickhouseTraceIdTable),
  };
  if (type === "clickhouse") backend.clickhouse = clickhouse;
  const config: Config = { backend, logLevel, maxTracesPerQuery, fetchConcurrency, maxResponseChars, compressResponses, transport, host, port, redact };
  if (authToken) config.authToken = authToken;
  if (pricingFile) config.pricingFile = pricingFile;
  if (redactRules) config.redactRules = redactRules;
  if (apiKeysFile) config.apiKeysFile = apiKeysFile;
  if (auditLog) config.auditLog = auditLog;
  return config;
}
