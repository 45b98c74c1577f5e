/**
 * `npm run build && node --import tsx bench/store-vs-jaeger.ts [--spans 200000] [--exporters 4]`: the
 * local store against a real Jaeger v2 (all-in-one, memory storage; built by
 * scripts/install-jaeger.sh, skipped with a note when Go cannot build it) fed the same requests.
 *
 * Ingest: the same OTLP/HTTP protobuf requests (512 spans each, recorded by the real OTel JS SDK,
 * fresh ids per request) posted by `exporters` concurrent keep-alive clients to this server's
 * receiver (`node dist/cli.js`, local store, the owner process) and to Jaeger's OTLP receiver; the
 * time runs until the last 200. A 200 from this server means the spans are on disk (fsync'd);
 * Jaeger answers before its batch processor has stored them in memory.
 * Query: get_llm_usage over the last hour through the built server, once reading the local store,
 * once reading that Jaeger through the Jaeger backend (service chat-api, which Jaeger requires):
 * first call and median of three, with each answer's coverage. A benchmark: nothing asserts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Agent, request } from "undici";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { locateJaeger, startJaeger, type RunningJaeger } from "../test/e2e/jaeger.js";
import { otlpSample } from "./otlp-sample.js";

const argv = process.argv.slice(2);
const arg = (name: string, fallback: number): number => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const SPANS = arg("--spans", 200_000);
const EXPORTERS = arg("--exporters", 4);
const BATCH = 512;
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "dist/cli.js");
const log = (s: string): void => void process.stderr.write(`bench:store-vs-jaeger: ${s}\n`);

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Posts every body with `EXPORTERS` concurrent clients; seconds until the last answer. */
async function post(url: string, bodies: readonly Uint8Array[]): Promise<number> {
  const agent = new Agent({ connections: EXPORTERS, keepAliveTimeout: 10_000 });
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: EXPORTERS }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const res = await request(url, { method: "POST", body, headers: { "content-type": "application/x-protobuf" }, dispatcher: agent });
        await res.body.arrayBuffer();
        if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`);
      }
    }),
  );
  const seconds = (performance.now() - t) / 1000;
  await agent.close();
  return seconds;
}

async function session(args: string[]) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, "--log-level", "warn", ...args], stderr: "pipe" });
  const client = new Client({ name: "bench", version: "0" });
  await client.connect(transport);
  return {
    async time(tool: string, toolArgs: Record<string, unknown>) {
      const times: number[] = [];
      let text = "";
      for (let i = 0; i < 4; i++) {
        const t = performance.now();
        const res = (await client.callTool({ name: tool, arguments: toolArgs }, undefined, { timeout: 600_000 })) as { isError?: boolean; content: Array<{ text?: string }> };
        times.push(performance.now() - t);
        text = res.content[0]?.text ?? "";
        if (res.isError) throw new Error(`${tool}: ${text.slice(0, 300)}`);
      }
      const [first, ...rest] = times;
      rest.sort((a, b) => a - b);
      const json = JSON.parse(text) as { summary?: { total_requests?: number }; coverage?: { traces?: number; complete?: boolean } };
      return { firstMs: first!, medianMs: rest[1]!, requests: json.summary?.total_requests ?? 0, coverage: json.coverage };
    },
    close: () => client.close(),
  };
}

log(`recording ${SPANS} spans with the OTel JS SDK (${Math.ceil(SPANS / BATCH)} requests of ${BATCH})`);
const bodies = Array.from({ length: Math.ceil(SPANS / BATCH) }, () => otlpSample(BATCH).proto);

let jaegerBinary: string | undefined;
try {
  jaegerBinary = locateJaeger(ROOT);
} catch (e) {
  log(`no Jaeger binary (${(e as Error).message.split("\n")[0]}): only the local store is measured`);
}

const dataDir = mkdtempSync(join(tmpdir(), "otel-store-vs-jaeger-"));
const port = await freePort();
const rows: string[] = [];
let jaeger: RunningJaeger | undefined;
try {
  // The owner process: its receiver stores what the requests carry.
  const owner = await session(["--backend", "local", "--data-dir", dataDir, "--otlp-listen", `127.0.0.1:${port}`]);
  for (let tries = 0; !(await fetch(`http://127.0.0.1:${port}/v1/traces`).then(() => true, () => false)); tries++) {
    if (tries > 200) throw new Error("the local store's receiver never listened");
    await new Promise((r) => setTimeout(r, 50));
  }
  log("ingest into the local store");
  const storeSeconds = await post(`http://127.0.0.1:${port}/v1/traces`, bodies);
  rows.push(`| ingest, local store (this server's receiver; 200 = fsync'd) | ${Math.round((bodies.length * BATCH) / storeSeconds)} spans/s (${storeSeconds.toFixed(1)} s) |`);
  const window = { start_time: "1h", service_name: "chat-api" };
  const local = await owner.time("get_llm_usage", window);
  rows.push(`| get_llm_usage, local store | ${local.firstMs.toFixed(0)} ms first, ${local.medianMs.toFixed(0)} ms median; ${local.requests} LLM calls, coverage ${local.coverage?.complete ? "complete" : "INCOMPLETE"} (${local.coverage?.traces} traces) |`);
  await owner.close();

  if (jaegerBinary) {
    jaeger = await startJaeger(jaegerBinary);
    log("ingest into Jaeger");
    const jaegerSeconds = await post(`${jaeger.otlpEndpoint}/v1/traces`, bodies);
    rows.push(`| ingest, Jaeger v2 memory store (200 before storing) | ${Math.round((bodies.length * BATCH) / jaegerSeconds)} spans/s (${jaegerSeconds.toFixed(1)} s); local store / Jaeger ${(jaegerSeconds / storeSeconds).toFixed(2)}x |`);
    await new Promise((r) => setTimeout(r, 2_000)); // Jaeger's batch processor flushes every 100 ms
    const reader = await session(["--backend", "jaeger", "--url", jaeger.queryUrl]);
    const viaJaeger = await reader.time("get_llm_usage", window);
    await reader.close();
    rows.push(
      `| get_llm_usage, Jaeger backend | ${viaJaeger.firstMs.toFixed(0)} ms first, ${viaJaeger.medianMs.toFixed(0)} ms median; ${viaJaeger.requests} LLM calls, coverage ${viaJaeger.coverage?.complete ? "complete" : "INCOMPLETE"} (${viaJaeger.coverage?.traces} traces); Jaeger / local store ${(viaJaeger.medianMs / local.medianMs).toFixed(1)}x the time |`,
    );
  }
} finally {
  await jaeger?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.stdout.write(
  `\n#### Local store vs Jaeger v2, ${bodies.length * BATCH} spans, ${EXPORTERS} exporters\n\n| measurement | result |\n|---|---|\n${rows.join("\n")}\n\n${cpus().length} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}, node ${process.version}\n`,
);
