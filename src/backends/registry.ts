/**
 * Every backend, once. A new backend is its folder plus one line here: config choices, help
 * text, labels in messages, default URLs, look-backs and capabilities all derive from this list.
 */
import { clickhouse } from "./clickhouse/descriptor.js";
import type { BackendDescriptor } from "./descriptor.js";
import { jaeger } from "./jaeger/descriptor.js";
import { local } from "./local/descriptor.js";
import { tempo } from "./tempo/descriptor.js";
import { traceloop } from "./traceloop/descriptor.js";

export const BACKENDS = [local, jaeger, tempo, traceloop, clickhouse] as const;

export type BackendKind = (typeof BACKENDS)[number]["kind"];

export const BACKEND_KINDS: readonly BackendKind[] = BACKENDS.map((b) => b.kind);

const BY_KIND: ReadonlyMap<string, BackendDescriptor> = new Map(BACKENDS.map((b) => [b.kind, b]));

export function isBackendKind(kind: string): kind is BackendKind {
  return BY_KIND.has(kind);
}

/** The descriptor of a registered backend kind. */
export function descriptorOf(kind: BackendKind): BackendDescriptor<BackendKind> {
  return BY_KIND.get(kind)! as BackendDescriptor<BackendKind>;
}

/** "Jaeger" for "jaeger"; the kind itself for a backend outside the registry (test doubles). */
export function backendLabel(kind: string): string {
  return BY_KIND.get(kind)?.label ?? kind;
}
