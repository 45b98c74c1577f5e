/**
 * Building blocks of the demo plan: the seeded PRNG and the trace builder that lays out spans.
 * Pure and deterministic: the same seed gives the same ids, numbers and choices everywhere.
 */
import type { DemoAttributes, DemoLabel, DemoSpan, DemoSpanKind, DemoStatus } from "./types.js";

/** Small seeded PRNG (mulberry32): fast, good enough, identical on every platform. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rand {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** Lowercase hex, never all zeros (an all-zero id is invalid in OpenTelemetry). */
  hex(chars: number): string {
    for (;;) {
      let out = "";
      while (out.length < chars) out += Math.floor(this.next() * 0x100000000).toString(16).padStart(8, "0");
      out = out.slice(0, chars);
      if (/[1-9a-f]/.test(out)) return out;
    }
  }
}

const STACK_BASE = [
  "    at processTicksAndRejections (node:internal/process/task_queues:95:5)",
  "    at async AgentExecutor.run (/app/node_modules/@acme/agents/dist/executor.js:211:17)",
  "    at async Workflow.execute (/app/dist/workflows/runner.js:88:9)",
];

export function stack(type: string, message: string, frame: string): string {
  return [`${type}: ${message}`, `    at ${frame}`, ...STACK_BASE].join("\n");
}

export const ms = (n: number) => Math.round(n * 1000);

/** Mutable span under construction; `end` is set once the children are laid out. */
export interface Draft extends DemoSpan {}

export class TraceBuilder {
  readonly spans: Draft[] = [];
  readonly labels = new Set<DemoLabel>();
  constructor(
    readonly rand: Rand,
    readonly traceId: string,
  ) {}

  open(parent: Draft | null, service: string, name: string, kind: DemoSpanKind, startUs: number, attributes: DemoAttributes): Draft {
    const span: Draft = {
      spanId: this.rand.hex(16),
      parentSpanId: parent ? parent.spanId : null,
      service,
      name,
      kind,
      startUs,
      endUs: startUs,
      attributes,
      events: [],
      status: { code: "UNSET" },
    };
    this.spans.push(span);
    return span;
  }

  fail(span: Draft, type: string, message: string, frame: string, atUs: number, status?: DemoStatus): void {
    span.status = status ?? { code: "ERROR", message };
    span.attributes["error.type"] = type;
    span.events.push({
      name: "exception",
      timeUs: atUs,
      attributes: { "exception.type": type, "exception.message": message, "exception.stacktrace": stack(type, message, frame) },
    });
  }
}

