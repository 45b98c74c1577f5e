/**
 * Several processes on one data directory: one owner, the others readers that see new spans
 * within seconds and take over when the owner exits or is killed; nobody sees a lock error.
 */
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import type { Span } from "../../src/domain/trace.js";
import { StoreReadOnlyError, type StoreRole } from "../../src/store/index.js";
import { eventually, spawnStoreChild } from "./child.js";
import { generateSpans, tracesOf } from "./gen.js";
import { StoreHarness } from "./helpers.js";

const harness = new StoreHarness();
afterAll(() => harness.cleanup());

/** A logger that keeps what it is given, to prove no error was logged. */
function capturingLogger(): { logger: pino.Logger; errors: () => string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString("utf8"));
      done();
    },
  });
  return { logger: pino({ level: "debug" }, sink), errors: () => lines.filter((l) => (JSON.parse(l) as { level: number }).level >= 50) };
}

const FAST = { maintenanceIntervalMs: 50, takeoverIntervalMs: 100 };

describe("owner and readers in separate processes", () => {
  it("a reader sees the owner's spans, takes over when the owner exits, and can then append", { timeout: 60_000 }, async () => {
    const dir = harness.dir();
    const owner = await spawnStoreChild(dir, FAST);
    expect(await owner.role()).toBe("owner");
    const { logger, errors } = capturingLogger();
    const reader = await harness.open(dir, { ...FAST, logger });
    expect(reader.role).toBe("reader");
    const roles: StoreRole[] = [];
    reader.onRoleChange((r) => roles.push(r));

    const spans = generateSpans({ seed: 7, traces: 30 });
    const [first] = tracesOf(spans);
    await expect(reader.append(spans)).rejects.toBeInstanceOf(StoreReadOnlyError);
    await owner.append(spans);
    const seen = await eventually(async () => {
      const t = await reader.getTrace(first!.traceId);
      return t && t.spans.length === first!.spans.length ? t : undefined;
    }, 5000, "the reader to see the owner's spans");
    expect(seen).toEqual(first);

    await owner.close();
    await eventually(async () => (reader.role === "owner" ? true : undefined), 5000, "the reader to take over");
    expect(roles).toEqual(["owner"]);
    const more: Span[] = generateSpans({ seed: 8, traces: 5 });
    await reader.append(more);
    expect((await reader.getTrace(more[0]!.traceId))?.spans.length).toBeGreaterThan(0);
    expect((await reader.stats()).spans).toBe(spans.length + more.length);

    // And the other way round: a new process starts as a reader of the new owner and sees its data.
    const late = await spawnStoreChild(dir, FAST);
    expect(await late.role()).toBe("reader");
    expect((await late.trace(more[0]!.traceId))?.spans.length).toBe(more.filter((s) => s.traceId === more[0]!.traceId).length);
    await late.close();
    expect(errors()).toEqual([]);
  });

  it("a reader takes over from an owner killed with kill -9, with every acknowledged span", { timeout: 60_000 }, async () => {
    const dir = harness.dir();
    const owner = await spawnStoreChild(dir, FAST);
    const reader = await harness.open(dir, FAST);
    expect(reader.role).toBe("reader");
    const spans = generateSpans({ seed: 9, traces: 50 });
    await owner.append(spans);
    await owner.kill();
    await eventually(async () => (reader.role === "owner" ? true : undefined), 5000, "the reader to take over");
    const rows = await reader.query<{ n: number }>("SELECT count(*) AS n FROM otel_traces");
    expect(rows[0]!.n).toBe(spans.length);
    // The dead owner's WAL is final at once: a checkpoint folds it into segments.
    await reader.checkpoint();
    const stats = await reader.stats();
    expect(stats.spans).toBe(spans.length);
    expect(stats.segments).toBeGreaterThan(0);
    expect(await reader.query("SELECT * FROM wal_tail")).toEqual([]);
  });

  it("two readers of one owner both answer, and exactly one takes over", { timeout: 60_000 }, async () => {
    const dir = harness.dir();
    const owner = await harness.open(dir, FAST);
    const a = await spawnStoreChild(dir, FAST);
    const b = await spawnStoreChild(dir, FAST);
    expect([await a.role(), await b.role()]).toEqual(["reader", "reader"]);
    const spans = generateSpans({ seed: 10, traces: 10 });
    await owner.append(spans);
    const id = spans[0]!.traceId;
    for (const child of [a, b]) await eventually(() => child.trace(id), 5000, "a reader to see the span");
    await owner.close();
    const roles = await eventually(async () => {
      const r = [await a.role(), await b.role()].sort();
      return r[0] === "owner" || r[1] === "owner" ? r : undefined;
    }, 5000, "one reader to take over");
    // Give the other one time to (wrongly) take over too.
    await new Promise((r) => setTimeout(r, 600));
    expect([await a.role(), await b.role()].sort()).toEqual(roles);
    expect(roles).toEqual(["owner", "reader"]);
    await a.close();
    await b.close();
  });
});
