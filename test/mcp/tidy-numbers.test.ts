import { describe, expect, it } from "vitest";
import { tidyNumber, tidyNumbers } from "../../src/mcp/tidy-numbers.js";
import { generateDataset } from "../helpers/dataset.js";
import { connect } from "../helpers/mcp.js";
import { MemoryBackend } from "../helpers/memory-backend.js";

describe("tidyNumber", () => {
  it.each([
    [666.9999999999999, 667],
    [2944.615363636364, 2944.615],
    [85.55000000000001, 85.55],
    [31364.60834999965, 31364.608],
    [0.000123456789, 0.000123457],
    [-1.23456, -1.235],
    [42, 42],
    [0, 0],
  ])("%d -> %d", (x, want) => expect(tidyNumber(x)).toBe(want));

  it("walks objects and arrays and leaves other values alone", () => {
    expect(tidyNumbers({ a: [1.00000001, "x", null, true], b: { c: 2.0004999 } })).toEqual({ a: [1, "x", null, true], b: { c: 2 } });
  });
});

describe("answers carry no float noise", () => {
  it("every number in get_llm_model_stats and get_trace has at most 3 decimals (or 6 significant digits below 1)", async () => {
    const dataset = generateDataset({ seed: 31, traces: 40 });
    const mcp = await connect({ backendFactory: async () => new MemoryBackend(dataset) });
    try {
      const numbers: number[] = [];
      const collect = (v: unknown): void => {
        if (typeof v === "number") numbers.push(v);
        else if (v && typeof v === "object") for (const x of Object.values(v)) collect(x);
      };
      const stats = await mcp.call("get_llm_model_stats", { model_name: "gpt-4o" });
      expect(stats.isError).toBe(false);
      collect(stats.json);
      collect((await mcp.call("get_trace", { trace_id: dataset[3]!.traceId })).json);
      expect(numbers.some((n) => !Number.isInteger(n)), "some floats to check").toBe(true);
      for (const n of numbers) {
        if (Math.abs(n) >= 1) expect(Math.abs(n * 1000 - Math.round(n * 1000)), String(n)).toBeLessThan(1e-6);
        else expect(n.toPrecision(6).replace(/0+$/, "").length, String(n)).toBeGreaterThanOrEqual(String(n).length - 1);
      }
    } finally {
      await mcp.close();
    }
  });
});
