/**
 * Global setup of the end-to-end suite: build dist/, start a real Jaeger, send the seeded demo
 * dataset through the OpenTelemetry SDK, wait until every planned trace is queryable in full,
 * and hand the URLs and plan parameters to the tests.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { buildDemoPlan, emitDemoPlan, type DemoPlan } from "../../src/demo/index.js";
import { silentLogger } from "../../src/logger.js";
import { startOtlpReceiver } from "../../src/ingest/otlp-receiver.js";
import { openStore } from "../../src/store/index.js";
import { locateJaeger, startJaeger } from "./jaeger.js";

declare module "vitest" {
  export interface ProvidedContext {
    e2eBackend: "jaeger" | "local";
    localDataDir: string;
    jaegerQueryUrl: string;
    otlpEndpoint: string;
    demoSeed: number;
    demoTraces: number;
    demoNowMs: number;
  }
}

export const E2E_SEED = Number(process.env.E2E_SEED ?? 42);
export const E2E_TRACES = 60;

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "../..");

function build(): void {
  // Always rebuild, as `npm run build` does: a stale dist/ would test old code.
  execFileSync(process.execPath, [join(repoRoot, "scripts", "build.mjs")], { cwd: repoRoot, stdio: "inherit" });
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

/** Waits until Jaeger lists every planned service and returns every planned trace with all its spans. */
async function waitUntilQueryable(queryUrl: string, plan: DemoPlan, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Map(plan.traces.map((t) => [t.traceId, t.spans.length]));
  let missingServices: string[] = plan.services;
  let lastProblem = "";
  while (Date.now() < deadline) {
    const services = await getJson(`${queryUrl}/api/services`);
    const listed = ((services.body as { data?: string[] | null }).data ?? []) as string[];
    missingServices = plan.services.filter((s) => !listed.includes(s));
    for (const [id, expected] of [...pending]) {
      const res = await getJson(`${queryUrl}/api/traces/${id}`);
      const spans = (res.body as { data?: { spans?: unknown[] }[] }).data?.[0]?.spans?.length ?? 0;
      if (res.status === 200 && spans === expected) pending.delete(id);
      else lastProblem = `trace ${id}: HTTP ${res.status}, ${spans}/${expected} spans`;
    }
    if (missingServices.length === 0 && pending.size === 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `Demo data not queryable in Jaeger after ${timeoutMs} ms: ${pending.size} of ${plan.traces.length} traces incomplete` +
      (missingServices.length ? `, services missing: ${missingServices.join(", ")}` : "") +
      (lastProblem ? ` (last: ${lastProblem})` : ""),
  );
}

let localDataDir = "";

/** The plan's spans, sent by the OpenTelemetry SDK exporter to a receiver that appends to a store in `dir`. */
async function fillLocalStore(dir: string, plan: DemoPlan): Promise<void> {
  const store = await openStore({ dataDir: dir, retentionMs: 14 * 86_400_000, maxBytes: 1024 ** 3, logger: silentLogger() });
  try {
    const receiver = await startOtlpReceiver({ host: "127.0.0.1", port: 0, sink: store, logger: silentLogger() });
    try {
      await emitDemoPlan(plan, { otlpEndpoint: receiver.url, logger: silentLogger() });
    } finally {
      await receiver.close();
    }
  } finally {
    await store.close();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  build();
  const binary = locateJaeger(repoRoot);
  const jaeger = await startJaeger(binary);
  try {
    const nowMs = Date.now();
    const plan = buildDemoPlan({ seed: E2E_SEED, traces: E2E_TRACES, nowMs });
    const sent = await emitDemoPlan(plan, { otlpEndpoint: jaeger.otlpEndpoint, logger: silentLogger() });
    await waitUntilQueryable(jaeger.queryUrl, plan, 30_000);
    // The same plan, through the same SDK exporter, into a local store's receiver.
    localDataDir = mkdtempSync(join(tmpdir(), "otel-mcp-e2e-store-"));
    await fillLocalStore(localDataDir, plan);
    project.provide("localDataDir", localDataDir);
    process.stderr.write(
      `e2e: Jaeger ${jaeger.queryUrl} ready with ${sent.traces} traces / ${sent.spans} spans (seed ${E2E_SEED}) in ${Date.now() - started} ms\n`,
    );
    project.provide("jaegerQueryUrl", jaeger.queryUrl);
    project.provide("otlpEndpoint", jaeger.otlpEndpoint);
    project.provide("demoSeed", E2E_SEED);
    project.provide("demoTraces", E2E_TRACES);
    project.provide("demoNowMs", nowMs);
  } catch (err) {
    await jaeger.stop();
    throw err;
  }
  return async () => {
    await jaeger.stop();
    rmSync(localDataDir, { recursive: true, force: true });
  };
}
