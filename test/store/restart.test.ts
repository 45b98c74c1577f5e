/** Restart: close and reopen gives the same answers, with data only in the WAL, only in segments, or both. */
import { afterAll, describe, expect, it } from "vitest";
import type { LocalStore } from "../../src/store/index.js";
import { generateSpans, GEN_SPREAD_MS, GEN_START_MS, tracesOf } from "./gen.js";
import { StoreHarness } from "./helpers.js";

const harness = new StoreHarness();
afterAll(() => harness.cleanup());

const window = { startMs: GEN_START_MS, endMs: GEN_START_MS + GEN_SPREAD_MS };
const filters = [{ field: "k.int", operator: "gte" as const, value: 2, valueType: "number" as const }];

async function answers(store: LocalStore): Promise<unknown> {
  return {
    traces: await store.searchTraces({ ...window, filters, limit: 20 }),
    spans: await store.searchSpans({ ...window, filters: [], limit: 50 }),
    services: await store.listServices(),
    stats: await store.stats(),
  };
}

describe("restart", () => {
  for (const mode of ["wal only", "segments only", "segments and wal"] as const) {
    it(`answers the same after close and reopen (${mode})`, async () => {
      const dir = harness.dir();
      const spans = generateSpans({ seed: 21, traces: 80 });
      const first = await harness.open(dir);
      const half = Math.floor(spans.length / 2);
      await first.append(mode === "segments and wal" ? spans.slice(0, half) : spans);
      if (mode !== "wal only") await first.checkpoint();
      if (mode === "segments and wal") await first.append(spans.slice(half));
      const before = await answers(first);
      expect((before as { stats: { segments: number } }).stats.segments > 0).toBe(mode !== "wal only");
      await first.close();

      const second = await harness.open(dir);
      expect(second.role).toBe("owner");
      expect(await answers(second)).toEqual(before);
      for (const t of tracesOf(spans).slice(0, 10)) expect(await second.getTrace(t.traceId)).toEqual(t);
    });
  }
});
