/**
 * The advertised tool surface (names, titles, descriptions, schemas, annotations) is an API and a
 * token budget. It is pinned in a committed snapshot: any change fails here until the snapshot is
 * regenerated on purpose with UPDATE_TOOL_SNAPSHOT=1 (and the README checked).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Connected } from "../helpers/mcp.js";
import { MemoryBackend } from "../helpers/memory-backend.js";

const SNAPSHOT = new URL("./__snapshots__/tools-list.json", import.meta.url);
const EXPECTED_NAMES = [
  "search_traces",
  "search_spans",
  "get_trace",
  "get_llm_usage",
  "list_services",
  "find_errors",
  "list_llm_models",
  "get_llm_model_stats",
  "get_llm_expensive_traces",
  "get_llm_slow_traces",
  "list_llm_tools",
  "aggregate_traces",
  "analyze_errors",
  "get_service_topology",
  "analyze_trace",
  "list_sessions",
  "get_session",
];

describe("tools/list", () => {
  let mcp: Connected;
  let tools: Array<Record<string, unknown>>;
  beforeAll(async () => {
    mcp = await connect({ backendFactory: async () => new MemoryBackend([]) });
    tools = (await mcp.client.listTools()).tools as Array<Record<string, unknown>>;
  });
  afterAll(() => mcp.close());

  it("has exactly the expected tools", () => {
    expect(tools.map((t) => t.name)).toEqual(EXPECTED_NAMES);
  });

  it("describes every input field and annotates every tool as read-only", () => {
    for (const tool of tools) {
      expect(tool.title, String(tool.name)).toBeTruthy();
      expect(tool.annotations).toMatchObject({ readOnlyHint: true, idempotentHint: true, openWorldHint: true, destructiveHint: false });
      const props = (tool.inputSchema as { properties?: Record<string, { description?: string }> }).properties ?? {};
      for (const [field, schema] of Object.entries(props)) expect(schema.description, `${String(tool.name)}.${field}`).toBeTruthy();
      expect((tool.outputSchema as { type: string }).type).toBe("object");
    }
  });

  it("uses one JSON type per input schema node (portable to single-type dialects such as Gemini's)", () => {
    const walk = (node: unknown, path: string): void => {
      if (!node || typeof node !== "object") return;
      if (!Array.isArray(node) && Array.isArray((node as { type?: unknown }).type)) throw new Error(`type array at ${path}`);
      for (const [k, v] of Object.entries(node)) walk(v, `${path}.${k}`);
    };
    for (const tool of tools) expect(() => walk(tool.inputSchema, String(tool.name))).not.toThrow();
  });

  it("puts bounds in the schemas", () => {
    const search = tools.find((t) => t.name === "search_traces")!;
    const limit = (search.inputSchema as { properties: Record<string, Record<string, unknown>> }).properties.limit!;
    expect(limit).toMatchObject({ type: "integer", minimum: 1, maximum: 1000, default: 100 });
  });

  it("stays within a size budget", () => {
    // What clients put in the model's context: names, descriptions and input schemas (~4 chars/token).
    const modelFacing = tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema }));
    // Interim bounds while tools are added; the MCP-surface work (issue 14) brings the whole list to <= 30,000 bytes.
    expect(JSON.stringify(modelFacing).length).toBeLessThan(30_000);
    expect(JSON.stringify(tools).length).toBeLessThan(80_000);
  });

  it("matches the committed snapshot", () => {
    const current = `${JSON.stringify(tools, null, 2)}\n`;
    if (process.env.UPDATE_TOOL_SNAPSHOT === "1") writeFileSync(SNAPSHOT, current);
    const committed = readFileSync(SNAPSHOT, "utf8");
    expect(current, "tool surface changed: review, then run UPDATE_TOOL_SNAPSHOT=1 npm test").toBe(committed);
  });
});
