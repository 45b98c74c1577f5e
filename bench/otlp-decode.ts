/**
 * Decode throughput of one 512-span OTLP export request, protobuf and JSON, through the shared
 * decoders the receiver uses (src/otlp/). Prints spans/s (median of several timed rounds after a
 * warm-up) and the per-request time.
 *
 *   node --import tsx bench/otlp-decode.ts [--spans 512] [--rounds 7]
 */
import { decodeJsonExportBytes } from "../src/otlp/json.js";
import { decodeProtoExportRequest } from "../src/otlp/protobuf.js";
import { otlpSample } from "./otlp-sample.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const spanCount = arg("spans", 512);
const rounds = arg("rounds", 7);
const sample = otlpSample(spanCount);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median ms per request over `rounds` rounds of ~300 ms each. */
function time(decode: () => { spans: unknown[] }): number {
  for (let i = 0; i < 50; i++) decode();
  const perRound: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const started = performance.now();
    while (performance.now() - started < 300) {
      if (decode().spans.length !== spanCount) throw new Error("decoder lost spans");
      n++;
    }
    perRound.push((performance.now() - started) / n);
  }
  return median(perRound);
}

const protoMs = time(() => decodeProtoExportRequest(sample.proto));
const jsonMs = time(() => decodeJsonExportBytes(sample.json));
const row = (label: string, bytes: number, ms: number) =>
  `${label.padEnd(9)} ${String(bytes).padStart(8)} B   ${ms.toFixed(3).padStart(7)} ms/request   ${Math.round((spanCount / ms) * 1000).toLocaleString("en-US").padStart(9)} spans/s`;
process.stdout.write(`OTLP decode, ${spanCount} spans per request, Node ${process.version}\n`);
process.stdout.write(`${row("protobuf", sample.proto.length, protoMs)}\n${row("json", sample.json.length, jsonMs)}\n`);
