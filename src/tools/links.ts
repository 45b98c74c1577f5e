/**
 * Resource links in tool answers: a tool that lists traces names each listed trace's
 * trace://{trace_id} resource as a `resource_link` content item beside its text, so a host can
 * fetch a trace when it needs it (lazily, outside the model's context) instead of the model
 * calling get_trace. structuredContent is unchanged.
 */
import type { ResourceLink } from "./define-tool.js";

export const TRACE_URI_TEMPLATE = "trace://{trace_id}";
/** Links one answer carries at most: the first (most relevant) items of its list. */
export const MAX_LINKS = 10;

/** The resource URI of a trace. */
export function traceUri(traceId: string): string {
  return `trace://${encodeURIComponent(traceId)}`;
}

interface ListedTrace {
  trace_id?: unknown;
  service_name?: unknown;
  operation_name?: unknown;
}

/** `links` for a tool whose answer lists traces under `key`. */
export function traceLinks(key: string): (result: Record<string, unknown>) => ResourceLink[] {
  return (result) => {
    const items = Array.isArray(result[key]) ? (result[key] as ListedTrace[]) : [];
    return items
      .filter((t) => typeof t.trace_id === "string")
      .slice(0, MAX_LINKS)
      .map((t) => ({
        uri: traceUri(t.trace_id as string),
        name: t.trace_id as string,
        ...(typeof t.service_name === "string" && typeof t.operation_name === "string" ? { title: `${t.service_name}: ${t.operation_name}` } : {}),
        mimeType: "application/json",
      }));
  };
}
