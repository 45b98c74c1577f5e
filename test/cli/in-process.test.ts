/**
 * The command line run in-process (src/cli.ts `main`), so coverage sees its parsing and wiring;
 * the bin itself is exercised as a child process by the other test/cli suites. stdout and stderr
 * writes are captured for the duration of each run; backends and receivers are real servers on
 * 127.0.0.1 with port 0.
 */
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli.js";
import { SETTINGS } from "../../src/config.js";
import { startOtlpReceiver } from "../../src/ingest/otlp-receiver.js";
import { silentLogger } from "../../src/logger.js";
import { VERSION } from "../../src/version.js";
import type { RunningWorld } from "../helpers/backend-world.js";
import { generateDataset } from "../helpers/dataset.js";
import { traceTruth } from "../helpers/dataset-truth.js";
import { jaegerWorld } from "../helpers/jaeger-world.js";
import { MemorySink } from "../helpers/memory-sink.js";

interface Ran {
  code: number | undefined;
  stdout: string;
  stderr: string;
}

/** Runs `main` with `args`, capturing what it writes. The machine's BACKEND_* etc. are hidden. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  for (const k of Object.keys(process.env)) if (/^(BACKEND_|MCP_|LOG_LEVEL|MAX_|FETCH_|COMPRESS_)/.test(k)) vi.stubEnv(k, undefined);
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  let stdout = "";
  let stderr = "";
  const capture = (into: (s: string) => void) => (chunk: unknown, ...rest: unknown[]) => {
    into(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
    const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    cb?.();
    return true;
  };
  const out = vi.spyOn(process.stdout, "write").mockImplementation(capture((s) => (stdout += s)) as typeof process.stdout.write);
  const err = vi.spyOn(process.stderr, "write").mockImplementation(capture((s) => (stderr += s)) as typeof process.stderr.write);
  try {
    const code = await main(["node", "opentelemetry-mcp", ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    vi.unstubAllEnvs();
  }
}

const oneLine = (r: Ran): string => {
  const lines = r.stderr.trim().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0]!;
};

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

describe("help and version", () => {
  it("--version prints the version and ends with 0", async () => {
    const r = await cli(["--version"]);
    expect(r).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
  });

  it("--help lists every setting as flag and environment variable, the defaults and the subcommands", async () => {
    const r = await cli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    for (const s of Object.values(SETTINGS)) {
      expect(r.stdout).toContain(s.flag);
      expect(r.stdout).toMatch(new RegExp(`\\n  ${s.env}\\s+${s.flag.replace(/[-/\\^$*+?.()|[\]{}]/g, "\\$&")}`));
    }
    expect(r.stdout).toMatch(/^Usage: opentelemetry-mcp \[options\] \[command\]/);
    expect(r.stdout).toContain("Defaults: --backend local (the embedded store; --url alone means jaeger); --url http://localhost:16686 (jaeger)");
    for (const sub of ["demo-data", "call"]) expect(r.stdout).toMatch(new RegExp(`\\n  ${sub} `));
  });

  it("call --help shows call's arguments and the server options it accepts", async () => {
    const r = await cli(["call", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: opentelemetry-mcp call \[options\] <tool> \[json-args\]/);
    for (const flag of ["--url <url>", "--backend <type>", "--header <header>", "--max-traces <n>"]) expect(r.stdout).toContain(flag);
  });
});

describe("usage and configuration errors: one line on stderr, a non-zero code, nothing on stdout", () => {
  it.each([
    [["--bogus"], {}, 1, /^opentelemetry-mcp: unknown option '--bogus' \(run opentelemetry-mcp --help for the options\)$/],
    [["demo-data", "--bogus"], {}, 1, /^opentelemetry-mcp: unknown option '--bogus' \(run opentelemetry-mcp demo-data --help for the options\)$/],
    [["frobnicate"], {}, 1, /^opentelemetry-mcp: unknown command 'frobnicate' \(run opentelemetry-mcp --help for the commands\)$/],
    [["--backend", "zipkin"], {}, 1, /--backend \/ BACKEND_TYPE/],
    [[], { BACKEND_TYPE: "zipkin" }, 1, /Invalid value 'zipkin' for --backend \/ BACKEND_TYPE \(from BACKEND_TYPE\)/],
    [["--timeout", "0"], {}, 1, /--timeout \/ BACKEND_TIMEOUT/],
    [["--backend", "traceloop"], {}, 1, /needs an API key: pass --api-key or set BACKEND_API_KEY/],
    [["demo-data", "--seed", "-1"], {}, 1, /^opentelemetry-mcp: Invalid value '-1' for --seed: must be a whole number >= 0$/],
    [["demo-data", "--traces", "0"], {}, 1, /^opentelemetry-mcp: Invalid value '0' for --traces: must be 1-100000$/],
    [["call"], {}, 1, /^opentelemetry-mcp: missing required argument 'tool' \(run opentelemetry-mcp call --help for the options\)$/],
    [["call", "list_services", "[1]"], {}, 2, /^opentelemetry-mcp: the arguments for list_services must be a JSON object/],
    [["call", "list_services", "{nope"], {}, 2, /^opentelemetry-mcp: invalid JSON arguments for list_services: /],
    [["call", "list_services", "--backend", "zipkin"], {}, 1, /--backend \/ BACKEND_TYPE/],
  ] as Array<[string[], Record<string, string>, number, RegExp]>)("%j %j -> exit %i", async (args, env, code, message) => {
    const r = await cli(args, env);
    expect(r.code).toBe(code);
    expect(r.stdout).toBe("");
    expect(oneLine(r)).toMatch(message);
  });

  it("a port in use on the HTTP transport is one actionable line", async () => {
    const blocker = createNetServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as AddressInfo).port;
    const r = await cli(["--transport", "http", "--port", String(port), "--log-level", "error"]);
    expect(r.code).toBe(1);
    expect(oneLine(r)).toBe(`opentelemetry-mcp: port ${port} on 127.0.0.1 is already in use; pass --port or stop the other process`);
  });
});

describe("call: one tool through the configured backend", () => {
  const dataset = generateDataset({ traces: 6 });
  let world: RunningWorld;
  beforeAll(async () => {
    world = await jaegerWorld({ now: () => dataset[0]!.startTimeUs / 1000 + 3_600_000 }).start(dataset);
    return () => world.close();
  });

  it("prints the tool's structured result as JSON and ends with 0", async () => {
    const r = await cli(["--url", world.url, "call", "list_services"]);
    expect(r.code).toBe(0);
    const services = (JSON.parse(r.stdout) as { services: string[] }).services;
    expect(services).toEqual(expect.arrayContaining([...new Set(dataset.map((t) => traceTruth(t.spans).serviceName))]));
  });

  it("takes the server's options after `call` too, lists extended: --header before and after both reach the backend", async () => {
    const id = dataset[2]!.traceId;
    const before = world.requests.length;
    const r = await cli(["--header", "X-Before: 1", "call", "get_trace", JSON.stringify({ trace_id: id }), "--url", world.url, "--header", "X-After: 2"]);
    expect(r.code, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as { trace_id: string; span_count: number; root_operation: string };
    const truth = traceTruth(dataset[2]!.spans);
    expect(got).toMatchObject({ trace_id: id, span_count: truth.spanCount, root_operation: truth.rootOperation });
    const sent = world.requests.slice(before).find((q) => q.path.includes(id))!;
    expect(sent.headers).toMatchObject({ "x-before": "1", "x-after": "2" });
  });

  it("an unknown tool lists the tools and ends with 2", async () => {
    const r = await cli(["--url", world.url, "call", "list_everything"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^opentelemetry-mcp: unknown tool 'list_everything'\. The tools are:\n/);
    expect(r.stderr).toMatch(/\n {2}search_traces +\S/);
  });

  it("a tool error is one line naming the backend and URL, and ends with 1", async () => {
    const dead = await jaegerWorld().start([]);
    const url = dead.url;
    await dead.close();
    const r = await cli(["--url", url, "call", "list_services"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(oneLine(r)).toMatch(new RegExp(`^opentelemetry-mcp: .*Cannot reach Jaeger at ${url.replace(/\/$/, "")}`));
  });

  it("LOG_LEVEL from the environment is honoured; the one-shot default is errors only", async () => {
    const r = await cli(["--url", world.url, "call", "list_services"], { LOG_LEVEL: "loud" });
    expect(r.code).toBe(1);
    expect(oneLine(r)).toMatch(/--log-level \/ LOG_LEVEL/);
  });
});

describe("demo-data", () => {
  it("sends the requested traces to the OTLP endpoint, then leaves the process to end by itself (no exit code)", async () => {
    const sink = new MemorySink();
    const receiver = await startOtlpReceiver({ host: "127.0.0.1", port: 0, logger: silentLogger(), sink });
    closers.push(() => receiver.close());
    const r = await cli(["demo-data", "--otlp-endpoint", receiver.url, "--traces", "3", "--seed", "5", "--log-level", "error"]);
    expect(r.code, r.stderr).toBeUndefined();
    expect(new Set(sink.spans.map((s) => s.traceId)).size).toBe(3);
  });
});
