/**
 * Peak RSS of a store process, as a server runs it: test/store/child-store.ts bundled with esbuild
 * (no tsx loader) in its own process, fed over loopback HTTP by 4 concurrent writers in batches of
 * 512 spans (JSON, where the receiver would decode protobuf), then queried. The peak is the
 * kernel's high-water mark (VmHWM in /proc/<pid>/status), so Linux only.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { BenchSpans } from "./store-data.js";

const CHILD = fileURLToPath(new URL("../test/store/child-store.ts", import.meta.url));

function vmHwmMb(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmHWM:"));
    return line ? Math.round(Number(line.replace(/\D+/g, "")) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

export interface RssResult {
  peakMb?: number;
  /** High-water mark when ingest finished, before the queries. */
  ingestPeakMb?: number;
  ingestSpansPerSec: number;
  idleMb?: number;
}

export async function measureStoreProcess(spans: number, endMs: number, spreadMs: number, queries: readonly string[], storeOptions = "{}"): Promise<RssResult> {
  const dir = mkdtempSync(join(tmpdir(), "otel-store-rss-"));
  // Inside the package, so the bundle resolves @duckdb/node-api from its node_modules.
  const bundleDir = fileURLToPath(new URL("../node_modules/.cache/otel-store-bench/", import.meta.url));
  mkdirSync(bundleDir, { recursive: true });
  const bundle = join(bundleDir, "child-store.mjs");
  await build({
    entryPoints: [CHILD],
    outfile: bundle,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: ["@duckdb/node-api"],
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    logLevel: "error",
  });
  const data = join(dir, "data");
  const proc = spawn(process.execPath, [bundle, data, storeOptions], { stdio: ["ignore", "pipe", "inherit"] });
  const first = await new Promise<string>((resolve) => createInterface({ input: proc.stdout! }).once("line", resolve));
  const { port } = JSON.parse(first) as { port: number };
  const url = (p: string): string => `http://127.0.0.1:${port}${p}`;
  const idleMb = vmHwmMb(proc.pid!);
  const gen = new BenchSpans(3, spans, endMs, spreadMs);
  let remaining = spans;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (remaining > 0) {
        remaining -= 512;
        const res = await fetch(url("/append"), { method: "POST", body: JSON.stringify(gen.next(512)) });
        if (res.status !== 200) throw new Error(`append: ${res.status} ${await res.text()}`);
      }
    }),
  );
  const ingestSpansPerSec = Math.round(spans / ((performance.now() - t) / 1000));
  const ingestPeakMb = vmHwmMb(proc.pid!);
  for (let round = 0; round < 3; round++) {
    for (const sql of queries) await (await fetch(url("/query"), { method: "POST", body: JSON.stringify({ sql }) })).text();
    await (await fetch(url("/search"), { method: "POST", body: JSON.stringify({ startMs: endMs - spreadMs - 1, endMs, filters: [], limit: 20 }) })).text();
  }
  const peakMb = vmHwmMb(proc.pid!);
  await fetch(url("/close"), { method: "POST" }).catch(() => undefined);
  await new Promise((r) => proc.once("exit", r));
  rmSync(dir, { recursive: true, force: true });
  return { peakMb, ingestPeakMb, ingestSpansPerSec, idleMb };
}
