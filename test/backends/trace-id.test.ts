/**
 * Defence in depth for #11: each adapter's getTrace refuses anything but a hex trace id before it
 * builds a path, so "." and ".." can never reach the search or another endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBackend } from "../../src/backends/index.js";
import type { TraceBackend } from "../../src/backends/trace-backend.js";
import { BackendError } from "../../src/errors.js";
import { silentLogger } from "../../src/logger.js";
import type { BackendWorld, RunningWorld } from "../helpers/backend-world.js";
import { generateDataset } from "../helpers/dataset.js";
import { jaegerWorld } from "../helpers/jaeger-world.js";
import { tempoWorld } from "../helpers/tempo-world.js";
import { traceloopWorld } from "../helpers/traceloop-world.js";

const KEY = "test-key-123456";
const dataset = generateDataset({ traces: 3 });
const WORLDS: BackendWorld[] = [jaegerWorld(), tempoWorld({ apiKey: KEY }), traceloopWorld({ apiKey: KEY })];

describe.each(WORLDS)("$kind getTrace validates the id before any request", (world) => {
  let running: RunningWorld;
  let backend: TraceBackend;
  beforeAll(async () => {
    running = await world.start(dataset);
    backend = await createBackend(world.kind, { url: running.url, apiKey: KEY, timeoutMs: 2000, headers: {}, environments: ["prd"], fetchConcurrency: 2, logger: silentLogger() });
  });
  afterAll(async () => {
    await backend.close();
    await running.close();
  });

  it.each([".", "..", "abc/def?x", "../../api/services", "%2e%2e", "g".repeat(32), "1".repeat(33), ""])("%j", async (id) => {
    const before = running.requests.length;
    const err = await backend.getTrace(id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(err).toMatchObject({ kind: "not_found" });
    expect((err as Error).message).toMatch(/1 to 32 hexadecimal characters|up to 32 hexadecimal characters/);
    expect(running.requests.length, "no request was made").toBe(before);
  });

  it("still fetches a valid id, trimmed", async () => {
    const want = dataset[0]!;
    const got = await backend.getTrace(` ${want.traceId} `);
    expect(got.traceId).toBe(want.traceId);
  });
});
