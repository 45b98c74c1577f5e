/**
 * Durability: a 200 from append means the spans survive kill -9. A child process owns the store
 * and rolls and compacts constantly (tiny thresholds); four concurrent writers append until the
 * child is killed, either at a random moment or the moment a segment file is being written
 * (a roll or a compaction in flight). Reopening must show every acknowledged span, exactly once.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Span } from "../../src/domain/trace.js";
import { spawnStoreChild } from "./child.js";
import { generateSpans } from "./gen.js";
import { StoreHarness } from "./helpers.js";

const harness = new StoreHarness();
afterAll(() => harness.cleanup());

const CHILD_OPTIONS = {
  walFileBytes: 16 * 1024,
  rollBytes: 48 * 1024,
  rollAgeMs: 50,
  maintenanceIntervalMs: 10,
  compactFanIn: 2,
  garbageGraceMs: 0,
  rowGroupSize: 1024,
};

/** Resolves when a segment is being written (a .tmp file exists), or after `timeoutMs`. */
async function segmentWriteInFlight(dir: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (readdirSync(join(dir, "segments")).some((f) => f.endsWith(".tmp"))) return true;
    } catch {
      // not created yet
    }
    await new Promise((r) => setImmediate(r));
  }
  return false;
}

describe("kill -9 after the last 200", () => {
  it("loses no acknowledged span, at random moments and during segment writes", { timeout: 120_000 }, async () => {
    const dir = harness.dir();
    const acked: Span[] = [];
    let killedDuringWrite = 0;
    for (let round = 0; round < 4; round++) {
      const child = await spawnStoreChild(dir, CHILD_OPTIONS);
      expect(await child.role()).toBe("owner");
      const pool = generateSpans({ seed: 1000 + round, traces: 6000 });
      let next = 0;
      let stop = false;
      const writer = async (): Promise<void> => {
        while (!stop && next < pool.length) {
          const batch = pool.slice(next, next + 40);
          next += 40;
          try {
            await child.append(batch);
            acked.push(...batch);
          } catch {
            return; // the child died mid-request: this batch was never acknowledged
          }
        }
      };
      const writers = Array.from({ length: 4 }, writer);
      if (round < 2) await new Promise((r) => setTimeout(r, 300 + round * 400));
      else if (await segmentWriteInFlight(dir, 10_000)) killedDuringWrite++;
      await child.kill();
      stop = true;
      await Promise.all(writers);
      expect(next, "writers were still busy when the child died").toBeLessThan(pool.length);

      const store = await harness.open(dir);
      const rows = await store.query<{ TraceId: string; SpanId: string }>("SELECT TraceId, SpanId FROM otel_traces");
      const present = new Set(rows.map((r) => `${r.TraceId}/${r.SpanId}`));
      expect(present.size, "no span is stored twice").toBe(rows.length);
      const missing = acked.filter((s) => !present.has(`${s.traceId}/${s.spanId}`));
      expect(missing.length, `round ${round}: acknowledged spans missing after kill -9`).toBe(0);
      // One trace, compared whole: what came back is what went in.
      const sample = acked[Math.floor(acked.length / 2)]!;
      const trace = await store.getTrace(sample.traceId);
      expect(trace?.spans.find((s) => s.spanId === sample.spanId)).toEqual(sample);
      await store.close();
    }
    expect(acked.length).toBeGreaterThan(500);
    expect(killedDuringWrite, "kills that landed while a segment was being written").toBeGreaterThan(0);
  });
});
