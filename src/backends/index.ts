/**
 * Creating an adapter: looks its descriptor up in the registry and loads it lazily, so a process
 * only pays for the backend it uses.
 */
import { descriptorOf, type BackendKind } from "./registry.js";
import type { BackendOptions, TraceBackend } from "./trace-backend.js";

export async function createBackend(kind: BackendKind, options: BackendOptions): Promise<TraceBackend> {
  const factory = await descriptorOf(kind).load();
  return factory(options);
}
