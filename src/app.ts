/**
 * The composition root: one per process. It owns the configuration, the logger, the trace cache
 * and the backend (created once, on first use, and health-checked once), and builds the context
 * every tool call runs with. The MCP server(s) — one for stdio, one per HTTP session — share it.
 */
import { createBackend } from "./backends/index.js";
import { descriptorOf } from "./backends/registry.js";
import type { BackendOptions, TraceBackend } from "./backends/trace-backend.js";
import { createAuditLog, type AuditLog } from "./access/audit.js";
import type { Config } from "./config.js";
import { loadPricingOverrides } from "./genai/pricing-file.js";
import type { Pricer } from "./genai/pricing.js";
import type { Redactor } from "./redact/redactor.js";
import type { Logger } from "./logger.js";
import { TraceCache } from "./query/trace-cache.js";
import type { ToolContext } from "./tools/define-tool.js";

/** What the local backend adds to the contract that the app reads (src/backends/local/local-backend.ts). */
interface LocalBackendHandle {
  receiving(): Promise<{ url?: string; notReceiving?: string }>;
}

/** The adapter options a configuration describes. */
export function backendOptionsFromConfig(config: Config, logger: Logger, now?: () => number): BackendOptions {
  const b = config.backend;
  return {
    url: b.url,
    ...(b.apiKey ? { apiKey: b.apiKey } : {}),
    timeoutMs: b.timeoutMs,
    headers: b.headers,
    environments: b.environments,
    fetchConcurrency: config.fetchConcurrency,
    ...(b.maxResponseBytes !== undefined ? { maxResponseBytes: b.maxResponseBytes } : {}),
    ...(b.local ? { local: b.local } : {}),
    ...(b.clickhouse ? { clickhouse: b.clickhouse } : {}),
    logger: logger.child({ backend: b.type }),
    ...(now ? { now } : {}),
  };
}

export interface AppOptions {
  config: Config;
  logger: Logger;
  /** Override backend creation (tests); defaults to the configured backend from the registry. */
  backendFactory?: () => Promise<TraceBackend>;
  cache?: TraceCache;
  now?: () => number;
}

export interface App {
  readonly config: Config;
  readonly logger: Logger;
  readonly cache: TraceCache;
  /** The context tool calls run with. */
  readonly tools: ToolContext;
  /** The backend, created on first use; a failed creation is retried on the next call. */
  backend(): Promise<TraceBackend>;
  /** What tool answers hide (--redact, --redact-rules); loaded off the cold-start path. */
  redactor(): Promise<Redactor>;
  /** One line per tool call (stderr, and --audit-log). */
  readonly audit: AuditLog;
  /**
   * Starts what must run before the first question: the local store and its OTLP receiver
   * (exporters send before any tool is called). A no-op for remote backends, whose adapter waits
   * for the first call. Called once a transport is serving (never by one-shot `call`).
   */
  start(): void;
  close(): Promise<void>;
}

export function createApp(options: AppOptions): App {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const cache = options.cache ?? new TraceCache({ now });
  // A bad overrides file stops the server now (ConfigError), not at the first question about cost.
  const overrides = config.pricingFile ? loadPricingOverrides(config.pricingFile) : [];
  let pricerPromise: Promise<Pricer> | undefined;
  // The vendored table is ~430 KB of JSON: loaded on first use, never at start-up.
  const pricer = (): Promise<Pricer> => (pricerPromise ??= import("./genai/pricing.js").then((m) => m.createPricer({ overrides })));
  const makeBackend = options.backendFactory ?? (() => createBackend(config.backend.type, backendOptionsFromConfig(config, logger, options.now)));
  let backendPromise: Promise<TraceBackend> | undefined;
  let checked = false;

  function backend(): Promise<TraceBackend> {
    backendPromise ??= makeBackend().then(
      (b) => {
        if (!checked) {
          checked = true;
          void b.healthCheck().then((h) =>
            h.status === "healthy"
              ? logger.info({ health: h }, `backend ${b.kind} at ${b.url} is reachable`)
              : logger.warn({ health: h }, `backend ${b.kind} at ${b.url} is not healthy; requests may fail`),
          );
        }
        return b;
      },
      (err: unknown) => {
        backendPromise = undefined;
        throw err;
      },
    );
    return backendPromise;
  }

  let redactorPromise: Promise<Redactor> | undefined;
  const redactor = (): Promise<Redactor> =>
    (redactorPromise ??= import("./redact/redactor.js").then((m) =>
      m.createRedactor({ level: config.redact, ...(config.redactRules ? { rules: config.redactRules } : {}) }),
    ));
  const audit = createAuditLog({ logger, ...(config.auditLog ? { file: config.auditLog } : {}) });

  const tools: ToolContext = {
    backend,
    cache,
    config,
    logger,
    now,
    pricer,
    maxTraces: config.maxTracesPerQuery,
    fetchConcurrency: config.fetchConcurrency,
    defaultLookbackMs: descriptorOf(config.backend.type).defaultLookbackMs,
  };

  let started = false;
  function start(): void {
    if (started || config.backend.type !== "local" || options.backendFactory) return;
    started = true;
    void backend()
      .then((b) => (b as Partial<LocalBackendHandle>).receiving?.())
      .then((state) => {
        if (!state) return;
        const dir = config.backend.local?.dataDir;
        if (state.url) {
          const prefix = config.backend.implicit ? "no backend configured: " : "";
          logger.info(
            { otlp: `${state.url}/v1/traces`, dataDir: dir },
            `${prefix}storing OTLP received on ${state.url} in ${dir}; point OTEL_EXPORTER_OTLP_ENDPOINT there`,
          );
        } else if (state.notReceiving) {
          logger.info({ dataDir: dir }, `reading the local store in ${dir}: ${state.notReceiving}`);
        }
      })
      .catch((err: unknown) => logger.error({ err: (err as Error).message }, "the local store could not be opened; tool calls will say why"));
  }

  return {
    config,
    logger,
    cache,
    tools,
    backend,
    redactor,
    audit,
    start,
    async close() {
      const pending = backendPromise;
      backendPromise = undefined;
      // A backend handed in by the caller (a test double) is the caller's to close.
      if (pending && !options.backendFactory) await pending.then((b) => b.close()).catch(() => undefined);
      audit.close();
    },
  };
}
