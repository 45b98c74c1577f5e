/**
 * What the rest of the server needs to know about a backend before (or without) loading it:
 * its name, defaults and capabilities, and how to load its adapter. One descriptor per backend,
 * listed once in registry.ts; config, help text, errors and the query layer all read from it.
 */
import type { BackendFactory } from "./trace-backend.js";

export interface BackendCapabilities {
  /** Searches need a service (Jaeger): the query layer searches every service and merges by trace id. */
  readonly requiresService: boolean;
  /** Services a backend reports about itself (Jaeger traces itself); left out of lists and fan-outs. */
  readonly selfServices: readonly string[];
  /**
   * The order of search hits: "newest" first, or "arbitrary" (a Jaeger memory store returns any
   * `limit` matches). With "arbitrary", the query layer narrows the window to find the newest N.
   */
  readonly searchOrder: "newest" | "arbitrary";
  /**
   * True when searchTraces returns every span of each trace; otherwise it may return partial
   * traces (root info only) that the query layer completes by id through the trace cache.
   */
  readonly completeTracesInSearch: boolean;
  /**
   * True when the backend evaluates the normalised GenAI fields (src/genai/fields.ts: provider,
   * model, tokens, session, user, whatever convention recorded them) itself, e.g. in SQL. Otherwise
   * a filter on one is applied locally, never sent as the raw attribute of one convention.
   */
  readonly normalizedGenAiFields?: boolean;
  /**
   * searchTraces honours BackendSearch.select: it can return, per matching trace, just the spans a
   * projection asks for (with only the selected attributes), so the query layer need not fetch
   * every trace by id when that is all the caller reads. Absent means no.
   */
  readonly projection?: boolean;
}

export interface BackendDescriptor<K extends string = string> {
  readonly kind: K;
  /** Name in messages, e.g. "Jaeger". */
  readonly label: string;
  /** Base URL when none is configured; undefined when the backend has no URL (the local store). */
  readonly defaultUrl: string | undefined;
  /** Look-back when a tool call gives no start_time. */
  readonly defaultLookbackMs: number;
  readonly requiresApiKey: boolean;
  readonly capabilities: BackendCapabilities;
  /** Imports the adapter on first use, so a process only pays for the backend it runs. */
  load(): Promise<BackendFactory>;
}

export const DAY_MS = 86_400_000;

export function defineBackend<K extends string>(descriptor: BackendDescriptor<K>): BackendDescriptor<K> {
  return descriptor;
}
