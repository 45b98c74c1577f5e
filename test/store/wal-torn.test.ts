/**
 * A WAL line cut anywhere (kill -9 mid-write, or a reader racing the writer) is never read as a
 * span, and every complete line before it is. Each file here holds one complete span and a
 * second span cut at a different byte.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createSpan } from "../../src/domain/trace.js";
import { encodeSpan } from "../../src/store/encode.js";
import { walFileName } from "../../src/store/wal-writer.js";
import { StoreHarness } from "./helpers.js";

const harness = new StoreHarness();
afterAll(() => harness.cleanup());

const span = (traceNo: number, spanNo: number) =>
  createSpan({
    traceId: traceNo.toString(16).padStart(32, "0"),
    spanId: spanNo.toString(16).padStart(16, "0"),
    operationName: "op é",
    serviceName: "svc",
    startTimeUs: 1_763_000_000_000_000 + traceNo,
    durationMs: 12.5,
    status: "ERROR",
    attributes: { "gen_ai.system": "openai", "gen_ai.usage.total_tokens": 42, note: "ü\"\\\n", list: [1, "2"] },
    events: [{ name: "e", timestamp: 1_763_000_000_000_000_123, attributes: { k: 1 } }],
  });

describe("torn WAL tails", () => {
  it("shows the complete lines and never a cut one", async () => {
    const dir = harness.dir();
    mkdirSync(join(dir, "wal"));
    const cutLine = Buffer.from(encodeSpan(span(0, 2)), "utf8");
    const expected = new Set<string>();
    for (let cut = 0; cut <= cutLine.length; cut++) {
      const traceNo = cut + 1;
      const whole = Buffer.from(encodeSpan(span(traceNo, 1)), "utf8");
      const torn = Buffer.from(encodeSpan(span(traceNo, 2)), "utf8").subarray(0, cut);
      writeFileSync(join(dir, "wal", walFileName(1, traceNo)), Buffer.concat([whole, torn]));
      expected.add(`${traceNo}/1`);
      // Everything but the newline is a complete object: that span is whole, and may show.
      if (cut >= cutLine.length - 1) expected.add(`${traceNo}/2`);
    }
    const store = await harness.open(dir, { role: "reader" });
    const rows = await store.query<{ TraceId: string; SpanId: string }>("SELECT TraceId, SpanId FROM otel_traces");
    expect(new Set(rows.map((r) => `${parseInt(r.TraceId, 16)}/${parseInt(r.SpanId, 16)}`))).toEqual(expected);
    expect((await store.getTrace((5).toString(16).padStart(32, "0")))?.spans[0]).toEqual(span(5, 1));
  });
});
