/**
 * `opentelemetry-mcp call TOOL [JSON-ARGS]` through the built bin against a loopback fake Jaeger:
 * the result's structuredContent as pretty JSON on stdout (exit 0), an error result on stderr
 * (exit 1), an unknown tool or bad JSON as a usage error (exit 2); options before or after `call`,
 * and .env, configure it as they configure the server. runToolCall is also run in-process.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runToolCall } from "../../src/cli/call.js";
import { resolveConfig } from "../../src/config.js";
import { silentLogger } from "../../src/logger.js";
import { createServer } from "../../src/mcp/server.js";
import type { RunningWorld } from "../helpers/backend-world.js";
import { generateDataset } from "../helpers/dataset.js";
import { jaegerWorld } from "../helpers/jaeger-world.js";
import { runCli } from "../helpers/cli-process.js";

const dataset = generateDataset({ seed: 4, traces: 6 });
const SERVICES = [...new Set(dataset.flatMap((t) => t.spans.map((s) => s.serviceName)))].sort();
let world: RunningWorld;

beforeAll(async () => {
  world = await jaegerWorld().start(dataset);
});
afterAll(async () => {
  await world.close();
});

describe("call (built bin)", () => {
  it("prints the tool's structuredContent as pretty JSON and exits 0", async () => {
    const r = await runCli(["--backend", "jaeger", "--url", world.url, "call", "list_services"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ count: SERVICES.length, services: SERVICES });
    expect(r.stdout).toBe(`${JSON.stringify({ count: SERVICES.length, services: SERVICES }, null, 2)}\n`);
  });

  it("passes JSON arguments, and takes the options after the subcommand too", async () => {
    const trace = dataset[2]!;
    const r = await runCli(["call", "get_trace", JSON.stringify({ trace_id: trace.traceId }), "--backend", "jaeger", "--url", world.url]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { trace_id: string; spans: Array<{ span_id: string }> };
    expect(out.trace_id).toBe(trace.traceId);
    expect(out.spans.map((s) => s.span_id).sort()).toEqual(trace.spans.map((s) => s.spanId).sort());
  });

  it("an option after `call` overrides the same option before it", async () => {
    const r = await runCli(["--url", "http://127.0.0.1:9", "call", "list_services", "--url", world.url]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).services).toEqual(SERVICES);
  });

  it("reads the configuration from .env like the server does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "otel-mcp-call-"));
    writeFileSync(join(dir, ".env"), `BACKEND_TYPE=jaeger\nBACKEND_URL=${world.url}\n`);
    const r = await runCli(["call", "list_services"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).services).toEqual(SERVICES);
  });

  it("an error result: its message on stderr, nothing on stdout, exit 1", async () => {
    const r = await runCli(["--url", "http://127.0.0.1:9", "call", "list_services"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^opentelemetry-mcp: Failed to list services: Cannot reach Jaeger at http:\/\/127\.0\.0\.1:9 \(connection refused\)[^\n]*\n$/);
  });

  it("arguments the tool rejects are an error result too (exit 1)", async () => {
    const r = await runCli(["--url", world.url, "call", "search_traces", '{"service_name":"chat-api","limit":"many"}']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^opentelemetry-mcp: Invalid query parameters: limit: /);
  });

  it("an unknown tool exits 2 and lists the tools", async () => {
    const r = await runCli(["--url", world.url, "call", "list_servicez"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toBe("opentelemetry-mcp: unknown tool 'list_servicez'. The tools are:");
    const names = lines.slice(1).map((l) => l.trim().split(/\s+/)[0]);
    expect(names).toEqual(expect.arrayContaining(["list_services", "get_trace", "search_traces", "get_llm_usage"]));
    expect(names.length).toBeGreaterThanOrEqual(11);
  });

  it.each([
    ["{service_name:", /^opentelemetry-mcp: invalid JSON arguments for search_traces: .*; pass one JSON object, e\.g\. /],
    ['["a"]', /^opentelemetry-mcp: the arguments for search_traces must be a JSON object, .*got an array$/],
    ["42", /must be a JSON object.*got 42$/],
  ])("JSON-ARGS %s exits 2 with one line, before contacting the backend", async (text, expected) => {
    const before = world.requests.length;
    const r = await runCli(["--url", world.url, "call", "search_traces", text]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(expected);
    expect(world.requests.length).toBe(before);
  });

  it("a missing tool name is a usage error pointing at call --help", async () => {
    const r = await runCli(["call"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("opentelemetry-mcp: missing required argument 'tool' (run opentelemetry-mcp call --help for the options)\n");
  });
});

describe("runToolCall (in-process)", () => {
  it("writes the result and closes the server", async () => {
    const config = resolveConfig({ backend: "jaeger", url: world.url }, {});
    const created = createServer({ config, logger: silentLogger() });
    let closed = 0;
    const target = { server: created.server, close: async () => void (closed++, await created.close()) };
    const out: string[] = [];
    const err: string[] = [];
    const code = await runToolCall(target, "list_services", {}, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(JSON.parse(out.join("")).services).toEqual(SERVICES);
    expect(closed).toBe(1);
  });
});
