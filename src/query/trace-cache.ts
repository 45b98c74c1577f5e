/**
 * In-memory cache of complete traces, shared by all tool calls of one process, bounded by an
 * estimate of bytes (least recently used evicted first). A trace is cached only once it has
 * settled (its last span ended a while ago): younger traces may still be receiving spans.
 * Identical concurrent requests share one backend call, and small answers (service lists) are
 * memoised briefly.
 */
import type { AttributeValue } from "../domain/attributes.js";
import type { Trace } from "../domain/trace.js";

export interface TraceCacheOptions {
  maxBytes?: number;
  /** A trace whose last span ended less than this long ago is not cached. */
  settleMs?: number;
  now?: () => number;
}

function valueBytes(v: AttributeValue): number {
  if (typeof v === "string") return v.length * 2 + 16;
  if (Array.isArray(v)) return v.reduce((n: number, x: AttributeValue) => n + valueBytes(x), 16);
  if (v && typeof v === "object") {
    return Object.entries(v).reduce((n, [k, x]) => n + k.length * 2 + valueBytes(x), 16);
  }
  return 16;
}

/** Rough heap footprint of a trace; good enough to bound the cache. */
export function estimateTraceBytes(trace: Trace): number {
  let bytes = 200;
  for (const s of trace.spans) {
    bytes += 300 + s.operationName.length * 2 + s.serviceName.length * 2;
    for (const [k, v] of Object.entries(s.attributes)) bytes += k.length * 2 + valueBytes(v);
    for (const e of s.events) {
      bytes += 64 + e.name.length * 2;
      for (const [k, v] of Object.entries(e.attributes)) bytes += k.length * 2 + valueBytes(v);
    }
  }
  return bytes;
}

export class TraceCache {
  private readonly entries = new Map<string, { trace: Trace; bytes: number }>();
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly memos = new Map<string, { at: number; value: unknown }>();
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly settleMs: number;
  private readonly now: () => number;

  constructor(options: TraceCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.settleMs = options.settleMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get usedBytes(): number {
    return this.bytes;
  }

  get(traceId: string): Trace | undefined {
    const key = traceId.toLowerCase();
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    // Refresh recency.
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.trace;
  }

  /** Caches a trace if it has settled and fits; returns whether it was stored. */
  put(trace: Trace): boolean {
    if (trace.partial) return false;
    const endMs = trace.startTimeUs / 1000 + trace.durationMs;
    if (this.now() - endMs < this.settleMs) return false;
    const bytes = estimateTraceBytes(trace);
    if (bytes > this.maxBytes) return false;
    const key = trace.traceId.toLowerCase();
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.bytes;
      this.entries.delete(key);
    }
    this.entries.set(key, { trace, bytes });
    this.bytes += bytes;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.bytes;
    }
    return true;
  }

  /** Cached trace, or one shared fetch for all concurrent callers asking for the same id. */
  async getOrFetch(traceId: string, fetch: () => Promise<Trace>): Promise<Trace> {
    const cached = this.get(traceId);
    if (cached) return cached;
    const trace = await this.coalesce(`trace:${traceId.toLowerCase()}`, fetch);
    this.put(trace);
    return trace;
  }

  /**
   * A small answer (e.g. the service list) reused for `ttlMs`; concurrent callers share one call.
   * Failures are not remembered.
   */
  async memo<T>(key: string, ttlMs: number, fn: () => Promise<T>): Promise<T> {
    const hit = this.memos.get(key);
    if (hit && this.now() - hit.at < ttlMs) return hit.value as T;
    const value = await this.coalesce(`memo:${key}`, fn);
    this.memos.set(key, { at: this.now(), value });
    return value;
  }

  /** Runs `fn` once for concurrent callers with the same key. */
  coalesce<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const running = this.inflight.get(key);
    if (running) return running as Promise<T>;
    const p = fn().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }
}
