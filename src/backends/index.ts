/**
 * Creating an adapter: looks its descriptor up in the registry and loads it lazily, so a process
 * only pays for the backend it uses.
 */
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import { descriptorOf, type BackendKind } from "./registry.js";
import type { BackendOptions, TraceBackend } from "./trace-backend.js";

export async function createBackend(kind: BackendKind, options: BackendOptions): Promise<TraceBackend> {
  const factory = await descriptorOf(kind).load();
  return factory(options);
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
    logger: logger.child({ backend: b.type }),
    ...(now ? { now } : {}),
  };
}

/** The backend the configuration describes. */
export function createBackendFromConfig(config: Config, logger: Logger, now?: () => number): Promise<TraceBackend> {
  return createBackend(config.backend.type, backendOptionsFromConfig(config, logger, now));
}
