/**
 * Cold start: spawn a command, write `initialize` to its stdin at once, and time spawn -> first
 * stdout line (the initialize result). Median of N runs after one warm-up (the OS file cache).
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

export interface ColdStartResult {
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
  /** Median CPU time of the main thread until the answer (Linux only): steadier than wall time on a busy machine. */
  cpuMedianMs?: number;
}

interface Sample {
  ms: number;
  cpuMs?: number;
}

/** On-CPU time of a process's main thread, from /proc/<pid>/schedstat (ns). */
function mainThreadCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]) / 1e6;
  } catch {
    return undefined;
  }
}

const INITIALIZE =
  JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench", version: "0" } },
  }) + "\n";

/** One run; `floor` mode measures `node -e 0`-like commands until exit instead of a reply. */
export function timeOnce(command: string, args: string[], mode: "initialize" | "exit"): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let done = false;
    const finish = (ms: number, cpuMs?: number): void => {
      if (done) return;
      done = true;
      resolve(cpuMs === undefined ? { ms } : { ms, cpuMs });
      child.stdin.end();
      child.kill();
    };
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    if (mode === "initialize") {
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (!out.includes("\n")) return;
        const ms = performance.now() - started;
        const line = out.slice(0, out.indexOf("\n"));
        const msg = JSON.parse(line) as { id?: number; result?: unknown };
        if (msg.id !== 1 || !msg.result) return reject(new Error(`unexpected first line: ${line.slice(0, 200)}`));
        finish(ms, mainThreadCpuMs(child.pid));
      });
      child.stdin.write(INITIALIZE);
      child.on("exit", (code) => {
        if (!done) reject(new Error(`exited with ${code} before answering initialize: ${err.slice(0, 500)}`));
      });
    } else {
      child.on("exit", () => finish(performance.now() - started));
    }
  });
}

export interface Candidate {
  label: string;
  command: string;
  args: string[];
  mode: "initialize" | "exit";
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function summarise(samples: Sample[]): ColdStartResult {
  const times = samples.map((s) => s.ms).sort((a, b) => a - b);
  const cpu = samples.flatMap((s) => (s.cpuMs === undefined ? [] : [s.cpuMs]));
  return {
    medianMs: median(times),
    minMs: times[0]!,
    maxMs: times[times.length - 1]!,
    runs: times.length,
    ...(cpu.length === samples.length ? { cpuMedianMs: median(cpu) } : {}),
  };
}

/**
 * Runs the candidates round-robin (one warm-up each first), so a burst of load on the machine
 * hits every candidate alike instead of skewing whichever happened to run during it.
 */
export async function coldStarts(candidates: Candidate[], runs = 11): Promise<Map<string, ColdStartResult>> {
  for (const c of candidates) await timeOnce(c.command, c.args, c.mode);
  const times = new Map<string, Sample[]>(candidates.map((c) => [c.label, []]));
  for (let i = 0; i < runs; i++) {
    for (const c of candidates) times.get(c.label)!.push(await timeOnce(c.command, c.args, c.mode));
  }
  return new Map([...times].map(([label, t]) => [label, summarise(t)]));
}

export const FLOOR: Candidate = { label: "node -e 0", command: process.execPath, args: ["-e", "0"], mode: "exit" };

export function cliCandidate(script: string, label = script): Candidate {
  return { label, command: process.execPath, args: [script, "--backend", "jaeger", "--url", "http://127.0.0.1:9", "--log-level", "warn"], mode: "initialize" };
}

// Stand-alone: `npx tsx bench/coldstart.ts [runs] [script.js ...]` compares entry points.
if (import.meta.url === `file://${process.argv[1]}`) {
  const rest = process.argv.slice(2);
  const runs = rest[0] && /^\d+$/.test(rest[0]) ? Number(rest.shift()) : 15;
  const scripts = rest.length > 0 ? rest : ["dist/cli.js"];
  const results = await coldStarts([FLOOR, ...scripts.map((s) => cliCandidate(s))], runs);
  for (const [label, r] of results) {
    const cpu = r.cpuMedianMs === undefined ? "" : `, main-thread CPU ${r.cpuMedianMs.toFixed(0)} ms`;
    process.stdout.write(`${label}: median ${r.medianMs.toFixed(0)} ms (min ${r.minMs.toFixed(0)}, max ${r.maxMs.toFixed(0)}, n=${r.runs}${cpu})\n`);
  }
}
