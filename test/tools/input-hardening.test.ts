/**
 * Hostile or broken tool input, through a real MCP client: every case is an isError result that
 * names the field and what to do, echoes at most a bounded part of the input, and never reaches
 * the backend with something it cannot mean.
 */
import { afterEach, describe, expect, it } from "vitest";
import { TOOLS } from "../../src/tools/index.js";
import { generateDataset } from "../helpers/dataset.js";
import { MemoryBackend } from "../helpers/memory-backend.js";
import { connect, type Connected } from "../helpers/mcp.js";

const traces = generateDataset({ seed: 5, traces: 6 });
let mcp: Connected | undefined;
let backend: MemoryBackend;
afterEach(async () => {
  await mcp?.close();
  mcp = undefined;
});

async function open(): Promise<Connected> {
  backend = new MemoryBackend(traces);
  mcp = await connect({ backendFactory: async () => backend });
  return mcp;
}

/** Calls with arguments parsed from JSON text, so keys like "__proto__" stay own properties (as JSON-RPC delivers them). */
async function callRaw(c: Connected, tool: string, argsJson: string) {
  const res = (await c.client.callTool({ name: tool, arguments: JSON.parse(argsJson) as Record<string, unknown> })) as {
    isError?: boolean;
    content: Array<{ text: string }>;
  };
  return { isError: res.isError === true, error: (JSON.parse(res.content[0]!.text) as { error?: string }).error ?? "" };
}

const TIME_TOOLS = TOOLS.filter((t) => "start_time" in t.input.shape).map((t) => t.name);

describe("out-of-range times name the field and the accepted range (#7)", () => {
  it("covers every tool with a time window (all but the by-id tools and list_services)", () => {
    expect(TOOLS.map((t) => t.name).filter((n) => !TIME_TOOLS.includes(n)).sort()).toEqual(["analyze_trace", "get_trace", "list_services"]);
  });

  it.each([
    ["start_time", "99999999999999999999"],
    ["start_time", "9".repeat(64)],
    ["end_time", "99999999999w"],
    ["end_time", "now+99999999999d"],
    ["start_time", "now-9999999999999s"],
  ])("%s = %s", async (field, value) => {
    const c = await open();
    for (const tool of TIME_TOOLS) {
      const args: Record<string, unknown> = { [field]: value };
      if (tool === "get_llm_model_stats") args.model_name = "gpt-4o";
      if (tool === "get_session") args.session_id = "s-1";
      const r = await c.call(tool, args);
      expect(r.isError, tool).toBe(true);
      const error = r.json.error as string;
      expect(error, tool).toMatch(new RegExp(`^Invalid ${field} format: '${value.slice(0, 20).replace(/[+]/g, "\\+")}.*' is out of range`));
      expect(error, tool).toContain("0001-01-01T00:00:00Z");
      expect(error, tool).toContain("9999-12-31T23:59:59.999Z");
      expect(error, tool).not.toMatch(/Invalid time value/);
    }
    expect(backend.searches).toBe(0);
  });
});

describe("errors echo bounded input (#10)", () => {
  it("a 1 MB unknown argument name is quoted as 64 characters and a count", async () => {
    const c = await open();
    const name = "z".repeat(1 << 20);
    for (const tool of TOOLS) {
      const r = await c.call(tool.name, { [name]: 1 });
      expect(r.isError, tool.name).toBe(true);
      const error = r.json.error as string;
      expect(error, tool.name).toMatch(/unknown argument\(s\) 'z{64}…\(1048512 more\)'; valid arguments: /);
      expect(error.length, tool.name).toBeLessThan(2000);
    }
  });

  it("many unknown arguments are listed up to a bound", async () => {
    const c = await open();
    const args = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`bogus_${i}`, i]));
    const r = await c.call("search_traces", args);
    const error = r.json.error as string;
    expect(error).toMatch(/unknown argument\(s\) 'bogus_0', 'bogus_1'.*and 49\d\d more; valid arguments: service_name/);
    expect(error.length).toBeLessThan(2000);
  });

  it("a 100,000-character unknown tool name is cut", async () => {
    const c = await open();
    const r = await c.call("t".repeat(100_000), {});
    expect(r.isError).toBe(true);
    const error = r.json.error as string;
    expect(error).toMatch(/^Unknown tool 't{64}…\(99936 more\)'\. Available tools: search_traces/);
    expect(error.length).toBeLessThan(2000);
  });

  it("a huge filter value, tag key or filter field is cut in the message", async () => {
    const c = await open();
    const big = "v".repeat(200_000);
    for (const args of [
      { filters: [{ field: "n", operator: "gt", value: big, value_type: "number" }] },
      { tags: { [big]: 5 } },
      { filters: [{ field: big, operator: "bogus" }] },
      { service_name: big },
    ]) {
      const r = await c.call("search_spans", args);
      expect(r.isError, JSON.stringify(args).slice(0, 80)).toBe(true);
      expect((r.json.error as string).length, JSON.stringify(args).slice(0, 80)).toBeLessThan(2000);
    }
  });
});

describe("trace ids are validated before any request (#11)", () => {
  it.each([".", "..", "abc/def", "../../api/services", "g".repeat(32), "0".repeat(33), "12 34", "0x1f"])("%j", async (id) => {
    const c = await open();
    const r = await c.call("get_trace", { trace_id: id });
    expect(r.isError).toBe(true);
    expect(r.json.error).toMatch(/^Invalid query parameters: trace_id: a trace id is 1 to 32 hexadecimal characters/);
    expect(backend.fetches).toBe(0);
  });

  it("accepts hex ids of up to 32 characters, any case, with surrounding spaces", async () => {
    const c = await open();
    const id = traces[0]!.traceId;
    for (const given of [id, id.toUpperCase(), ` ${id} `]) {
      const r = await c.call("get_trace", { trace_id: given });
      expect(r.isError, given).toBe(false);
      expect(r.json.trace_id).toBe(id);
    }
  });
});

describe("__proto__, constructor and prototype as keys are rejected, not dropped (#12)", () => {
  it.each([
    ["get_trace", `{"trace_id":"abc","__proto__":{"x":1}}`, /unknown argument\(s\) '__proto__'/],
    ["search_traces", `{"__proto__":1}`, /unknown argument\(s\) '__proto__'/],
    ["search_traces", `{"constructor":1}`, /unknown argument\(s\) 'constructor'/],
    ["search_traces", `{"tags":{"__proto__":"x"}}`, /^Invalid query parameters: tags: '__proto__' cannot be used as an attribute name/],
    ["search_traces", `{"tags":{"constructor":"x"}}`, /tags.*'constructor' cannot be used as an attribute name/],
    ["search_traces", `{"tags":{"prototype":"x","ok":"y"}}`, /tags.*'prototype' cannot be used as an attribute name/],
    ["search_spans", `{"filters":[{"field":"__proto__","operator":"exists"}]}`, /^Invalid filter format: filters\[0\]\.field: '__proto__' cannot be used as an attribute name/],
    ["search_spans", `{"filters":[{"field":"a","operator":"exists","__proto__":{}}]}`, /filters\[0\]: unknown argument\(s\) '__proto__'/],
  ])("%s %s", async (tool, json, message) => {
    const c = await open();
    const r = await callRaw(c, tool, json);
    expect(r.isError).toBe(true);
    expect(r.error).toMatch(message);
    expect(backend.searches + backend.fetches).toBe(0);
  });
});

describe("attribute names with control characters are rejected (#13)", () => {
  it.each([
    ["search_spans", { filters: [{ field: "a\u0000b", operator: "exists" }] }, /^Invalid filter format: filters\[0\]\.field: an attribute name cannot contain control characters/],
    ["search_traces", { tags: { "a\u0000b": "x" } }, /^Invalid query parameters: tags: an attribute name cannot contain control characters/],
    ["search_traces", { filters: [{ field: "line\nbreak", operator: "equals", value: "x" }] }, /control characters/],
    ["search_traces", { tags: { "\ud800x": "x" } }, /unpaired surrogate/],
  ])("%s %j", async (tool, args, message) => {
    const c = await open();
    const r = await c.call(tool, args);
    expect(r.isError).toBe(true);
    expect(r.json.error).toMatch(message);
    expect(backend.searches).toBe(0);
  });

  it("ordinary names with dots, spaces, quotes and non-ASCII letters still work", async () => {
    const c = await open();
    const r = await c.call("search_spans", { tags: { "my key": "v", 'we"ird': "w", "größe.é": "x" }, filters: [{ field: "gen_ai.system", operator: "exists" }] });
    expect(r.isError).toBe(false);
  });
});
