import { spawnSync } from "node:child_process";
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Ownership } from "../../src/store/ownership.js";
import { StoreHarness } from "./helpers.js";

const harness = new StoreHarness();
afterAll(() => harness.cleanup());

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString());
}

/** Plants an epoch directory as a previous owner would have left it. */
function plantEpoch(dir: string, epoch: number, info: { pid: number; host: string }, heartbeatAgeMs = 0): void {
  const d = join(dir, "owner", String(epoch).padStart(8, "0"));
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, "lock.json"), JSON.stringify({ ...info, startedAt: new Date().toISOString() }));
  writeFileSync(join(d, "heartbeat"), "");
  const t = new Date(Date.now() - heartbeatAgeMs);
  utimesSync(join(d, "heartbeat"), t, t);
}

describe("Ownership", () => {
  it("one owner at a time; release hands over at once", async () => {
    const dir = harness.dir();
    const first = await Ownership.tryAcquire(dir, 30_000);
    expect(first?.epoch).toBe(1);
    expect(first?.takeover).toBe("first");
    expect(await Ownership.tryAcquire(dir, 30_000)).toBeUndefined();
    await first!.release();
    const second = await Ownership.tryAcquire(dir, 30_000);
    expect([second?.epoch, second?.takeover]).toEqual([2, "released"]);
    expect(await first!.heartbeat()).toBe(false);
    expect(await second!.heartbeat()).toBe(true);
  });

  it("detects a killed owner by its pid, immediately", async () => {
    const dir = harness.dir();
    plantEpoch(dir, 4, { pid: deadPid(), host: hostname() });
    const owner = await Ownership.tryAcquire(dir, 30_000);
    expect([owner?.epoch, owner?.takeover]).toEqual([5, "dead"]);
  });

  it("waits for a stale heartbeat when the pid cannot be checked (another host)", async () => {
    const dir = harness.dir();
    plantEpoch(dir, 1, { pid: process.pid, host: "elsewhere" }, 1000);
    expect(await Ownership.tryAcquire(dir, 30_000)).toBeUndefined();
    plantEpoch(dir, 1, { pid: process.pid, host: "elsewhere" }, 60_000);
    const owner = await Ownership.tryAcquire(dir, 30_000);
    expect([owner?.epoch, owner?.takeover]).toEqual([2, "stale"]);
  });

  it("a superseded owner learns it on its next heartbeat", async () => {
    const dir = harness.dir();
    const old = (await Ownership.tryAcquire(dir, 30_000))!;
    // Pretend the old owner stalled past the stale limit.
    utimesSync(join(dir, "owner", "00000001", "heartbeat"), new Date(0), new Date(0));
    const next = await Ownership.tryAcquire(dir, 1000);
    expect(next?.takeover).toBe("stale");
    expect(await old.stillOwner()).toBe(false);
    expect(await old.heartbeat()).toBe(false);
  });
});
