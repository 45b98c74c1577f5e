/**
 * Backend registry. Adapters are loaded lazily so a process only pays for the one it uses.
 */
import type { Config } from "../config.js";
import type { BackendKind } from "../errors.js";
import type { Logger } from "../logger.js";
import type { BackendFactory, BackendOptions, TraceBackend, TraceCache } from "./trace-backend.js";

export const BACKEND_KINDS = ["jaeger", "tempo", "traceloop"] as const satisfies readonly BackendKind[];

const FACTORIES: Record<BackendKind, () => Promise<BackendFactory>> = {
  jaeger: async () => (await import("./jaeger/jaeger-backend.js")).createJaegerBackend,
  tempo: async () => (await import("./tempo/tempo-backend.js")).createTempoBackend,
  traceloop: async () => (await import("./traceloop/traceloop-backend.js")).createTraceloopBackend,
};

export async function createBackend(kind: BackendKind, options: BackendOptions): Promise<TraceBackend> {
  const factory = await FACTORIES[kind]();
  return factory(options);
}

/** The backend the configuration describes. */
export function createBackendFromConfig(config: Config, logger: Logger, now?: () => number, traceCache?: TraceCache): Promise<TraceBackend> {
  const b = config.backend;
  return createBackend(b.type, {
    url: b.url,
    ...(b.apiKey ? { apiKey: b.apiKey } : {}),
    timeoutMs: b.timeoutMs,
    headers: b.headers,
    environments: b.environments,
    fetchConcurrency: config.fetchConcurrency,
    ...(b.maxResponseBytes !== undefined ? { maxResponseBytes: b.maxResponseBytes } : {}),
    logger: logger.child({ backend: b.type }),
    ...(now ? { now } : {}),
    ...(traceCache ? { traceCache } : {}),
  });
}
