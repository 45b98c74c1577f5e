/**
 * Receiver throughput: 4 concurrent exporters (keep-alive HTTP clients) post 512-span OTLP
 * protobuf requests to the receiver on 127.0.0.1 for a few seconds; the sink only counts, so this
 * is the receiver's own share (HTTP, gunzip, decode) of the 20,000 spans/s target. Clients
 * run in the same process, so the figure is a lower bound on a 2-core machine.
 *
 *   node --import tsx bench/otlp-ingest.ts [--seconds 5] [--exporters 4] [--gzip]
 */
import { gzipSync } from "node:zlib";
import type { Span } from "../src/domain/trace.js";
import { startOtlpReceiver } from "../src/ingest/otlp-receiver.js";
import { silentLogger } from "../src/logger.js";
import { otlpSample } from "./otlp-sample.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const seconds = arg("seconds", 5);
const exporters = arg("exporters", 4);
const gzip = process.argv.includes("--gzip");
const sample = otlpSample(512);
const body = gzip ? gzipSync(sample.proto) : Buffer.from(sample.proto);
const headers: Record<string, string> = { "content-type": "application/x-protobuf", ...(gzip ? { "content-encoding": "gzip" } : {}) };

let stored = 0;
const receiver = await startOtlpReceiver({
  host: "127.0.0.1",
  port: 0,
  logger: silentLogger(),
  sink: { append: async (spans: readonly Span[]) => void (stored += spans.length) },
});
const url = `${receiver.url}/v1/traces`;

async function exporter(until: number): Promise<number> {
  let requests = 0;
  while (performance.now() < until) {
    const res = await fetch(url, { method: "POST", body, headers });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`receiver answered ${res.status}`);
    requests++;
  }
  return requests;
}

// Warm-up, then the timed run.
await Promise.all(Array.from({ length: exporters }, () => exporter(performance.now() + 1000)));
stored = 0;
const started = performance.now();
const requests = (await Promise.all(Array.from({ length: exporters }, () => exporter(started + seconds * 1000)))).reduce((a, b) => a + b, 0);
const elapsed = (performance.now() - started) / 1000;
await receiver.close();
process.stdout.write(
  `OTLP/HTTP ingest, ${exporters} exporters, 512-span protobuf requests${gzip ? " (gzip)" : ""}, Node ${process.version}\n` +
    `${requests} requests, ${stored} spans in ${elapsed.toFixed(2)} s: ${Math.round(stored / elapsed).toLocaleString("en-US")} spans/s\n`,
);
