/**
 * The audit log: one pino line on the logger (stderr in production) and one JSON line in the
 * --audit-log file per tool call, with argument names but never values, through a real MCP client.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { describe, expect, it } from "vitest";
import { argKeys, createAuditLog } from "../../src/access/audit.js";
import { resolveConfig } from "../../src/config.js";
import { createServer } from "../../src/mcp/server.js";
import { TraceCache } from "../../src/query/trace-cache.js";
import { generateDataset } from "../helpers/dataset.js";
import { captureLog } from "../helpers/log-capture.js";
import { TEST_NOW_MS } from "../helpers/mcp.js";
import { MemoryBackend } from "../helpers/memory-backend.js";

const dir = () => mkdtempSync(join(tmpdir(), "otel-mcp-audit-"));
const readLines = (file: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("createAuditLog", () => {
  it("writes the pino line and the file line; the file is appended to and created 0600", () => {
    const file = join(dir(), "audit.jsonl");
    writeFileSync(file, '{"earlier":true}\n', { mode: 0o600 });
    const { logger, lines } = captureLog();
    const audit = createAuditLog({ logger, file, now: () => Date.UTC(2025, 10, 13, 12, 0, 0, 250) });
    audit.record({ key: "billing-team", tool: "get_trace", arg_keys: ["trace_id"], outcome: "ok", ms: 12 });
    audit.record({ key: "billing-team", tool: "search_spans", arg_keys: [], outcome: "error", error_kind: "backend_timeout", ms: 30_001 });
    audit.close();

    // Field order too: time, key, tool, arg_keys, outcome, error_kind, ms.
    expect(readFileSync(file, "utf8").split("\n")[2]).toBe(
      '{"time":"2025-11-13T12:00:00.250Z","key":"billing-team","tool":"search_spans","arg_keys":[],"outcome":"error","error_kind":"backend_timeout","ms":30001}',
    );
    expect(readLines(file)).toEqual([
      { earlier: true },
      { time: "2025-11-13T12:00:00.250Z", key: "billing-team", tool: "get_trace", arg_keys: ["trace_id"], outcome: "ok", ms: 12 },
      { time: "2025-11-13T12:00:00.250Z", key: "billing-team", tool: "search_spans", arg_keys: [], outcome: "error", error_kind: "backend_timeout", ms: 30_001 },
    ]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 30, audit: true, key: "billing-team", tool: "get_trace", arg_keys: ["trace_id"], outcome: "ok", ms: 12, msg: "tool call" });
    expect(typeof lines[0]!.time).toBe("number");
    expect(lines[1]).toMatchObject({ outcome: "error", error_kind: "backend_timeout" });
    expect(lines[0]).not.toHaveProperty("error_kind");

    const fresh = join(dir(), "new.jsonl");
    createAuditLog({ logger, file: fresh }).close();
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
  });

  it("argKeys lists names only, sorted", () => {
    expect(argKeys({ trace_id: "x", a: 1 })).toEqual(["a", "trace_id"]);
    expect(argKeys(undefined)).toEqual([]);
    expect(argKeys(["x"])).toEqual([]);
  });
});

describe("audit of tool calls", () => {
  it("one line per call on the logger and in the file: ok, invalid input, backend errors, unknown tools; never values", async () => {
    const file = join(dir(), "calls.jsonl");
    const config = resolveConfig({ auditLog: file }, {});
    const { logger, lines } = captureLog();
    const traces = generateDataset({ traces: 3 });
    const created = createServer({ config, logger, backendFactory: async () => new MemoryBackend(traces), cache: new TraceCache({ settleMs: 0 }), now: () => TEST_NOW_MS });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: "vitest", version: "0" });
    await created.server.connect(serverSide);
    await client.connect(clientSide);

    const SECRET_VALUE = "jane.doe@example.com-sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z";
    await client.callTool({ name: "get_trace", arguments: { trace_id: traces[0]!.traceId } });
    await client.callTool({ name: "search_spans", arguments: { service_name: SECRET_VALUE, limit: 5 } });
    await client.callTool({ name: "get_trace", arguments: { trace_id: "ffffffffffffffffffffffffffffffff" } });
    await client.callTool({ name: "search_traces", arguments: { limit: "many" } });
    await client.callTool({ name: "no_such_tool", arguments: { x: SECRET_VALUE } });
    await client.close();
    await created.close();

    const fileLines = readLines(file);
    const summary = fileLines.map(({ key, tool, arg_keys, outcome, error_kind }) => ({ key, tool, arg_keys, outcome, error_kind }));
    expect(summary).toEqual([
      { key: "local", tool: "get_trace", arg_keys: ["trace_id"], outcome: "ok", error_kind: undefined },
      { key: "local", tool: "search_spans", arg_keys: ["limit", "service_name"], outcome: "ok", error_kind: undefined },
      { key: "local", tool: "get_trace", arg_keys: ["trace_id"], outcome: "error", error_kind: "backend_not_found" },
      { key: "local", tool: "search_traces", arg_keys: ["limit"], outcome: "error", error_kind: "invalid_input" },
      { key: "local", tool: "no_such_tool", arg_keys: ["x"], outcome: "error", error_kind: "unknown_tool" },
    ]);
    for (const l of fileLines) {
      expect(Object.keys(l).sort()).toEqual(["arg_keys", "key", "ms", "outcome", "time", "tool", ...(l.error_kind ? ["error_kind"] : [])].sort());
      expect(Number.isInteger(l.ms)).toBe(true);
      expect(new Date(l.time as string).toISOString()).toBe(l.time);
    }
    const auditLines = lines.filter((l) => l.audit === true);
    expect(auditLines.map((l) => [l.tool, l.outcome, l.error_kind])).toEqual(summary.map((s) => [s.tool, s.outcome, s.error_kind]));
    // No argument value reaches either sink.
    expect(readFileSync(file, "utf8")).not.toContain("jane.doe");
    expect(JSON.stringify(auditLines)).not.toContain("jane.doe");
    expect(JSON.stringify(fileLines)).not.toContain(traces[0]!.traceId);
  });
});
