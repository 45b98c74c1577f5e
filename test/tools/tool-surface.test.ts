/**
 * The advertised tool surface (names, titles, descriptions, schemas, annotations) is an API and a
 * token budget. It is pinned in a committed snapshot: any change fails here until the snapshot is
 * regenerated on purpose with UPDATE_TOOL_SNAPSHOT=1 (and the README checked).
 *
 * The byte budget is for the whole surface of this and the other open issues (17 tools): tools/list
 * is paid for in every conversation before a question is asked.
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
      // destructiveHint/idempotentHint mean nothing when readOnlyHint is true; openWorldHint is true by default.
      expect(tool.annotations).toEqual({ readOnlyHint: true });
      const props = (tool.inputSchema as { properties?: Record<string, { description?: string }> }).properties ?? {};
      for (const [field, schema] of Object.entries(props)) expect(schema.description, `${String(tool.name)}.${field}`).toBeTruthy();
      expect((tool.outputSchema as { type: string }).type).toBe("object");
    }
  });

  /** Every schema node under `node` with its path. */
  function nodes(node: unknown, path: string, out: Array<[string, Record<string, unknown>]> = []): Array<[string, Record<string, unknown>]> {
    if (Array.isArray(node)) node.forEach((v, i) => nodes(v, `${path}[${i}]`, out));
    else if (node && typeof node === "object") {
      out.push([path, node as Record<string, unknown>]);
      for (const [k, v] of Object.entries(node)) nodes(v, `${path}.${k}`, out);
    }
    return out;
  }

  it("uses one JSON type per schema node, in input and output schemas (single-type dialects; the Inspector's --strict lint)", () => {
    for (const tool of tools) {
      for (const [path, n] of [...nodes(tool.inputSchema, `${String(tool.name)}.input`), ...nodes(tool.outputSchema, `${String(tool.name)}.output`)]) {
        expect(Array.isArray(n.type), `type array at ${path}`).toBe(false);
      }
    }
  });

  it("has no schema that constrains nothing (the Inspector's empty-schema warning)", () => {
    for (const tool of tools) {
      for (const [path, n] of nodes(tool.outputSchema, String(tool.name))) {
        for (const key of ["additionalProperties", "items"]) {
          const child = n[key];
          if (child && typeof child === "object") expect(Object.keys(child).length, `${path}.${key}`).toBeGreaterThan(0);
        }
      }
    }
  });

  it("keeps $ref out of input schemas and resolvable in output schemas", () => {
    for (const tool of tools) {
      expect(JSON.stringify(tool.inputSchema), String(tool.name)).not.toContain("$ref");
      const out = tool.outputSchema as { $defs?: Record<string, unknown> };
      for (const [path, n] of nodes(out, String(tool.name))) {
        if (typeof n.$ref !== "string") continue;
        const name = /^#\/\$defs\/(.+)$/.exec(n.$ref)?.[1];
        expect(name && out.$defs?.[name], `${path}: ${n.$ref}`).toBeTruthy();
      }
    }
  });

  it("puts bounds in the schemas", () => {
    const search = tools.find((t) => t.name === "search_traces")!;
    const limit = (search.inputSchema as { properties: Record<string, Record<string, unknown>> }).properties.limit!;
    expect(limit).toMatchObject({ type: "integer", minimum: 1, maximum: 1000, default: 100 });
  });

  it("stays within the byte budget of the whole 17-tool surface", () => {
    // The 17 tools must fit in 30,000 bytes (~7,500 tokens): they take 27,718 (the first eleven took
    // 42,287 before the schemas were made lean; all 17 took 39,602 with row shapes in the output schemas).
    expect(JSON.stringify(tools).length).toBeLessThanOrEqual(30_000);
    // What clients put in the model's context at the least: names, descriptions and input schemas.
    const modelFacing = tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema }));
    expect(JSON.stringify(modelFacing).length).toBeLessThan(21_000);
  });

  it("the server instructions name every tool, and no tool or prompt that does not exist", async () => {
    const { INSTRUCTIONS } = await import("../../src/mcp/server.js");
    const prompts = (await mcp.client.listPrompts()).prompts.map((p) => p.name);
    const names = new Set([...EXPECTED_NAMES, ...prompts]);
    for (const tool of EXPECTED_NAMES) expect(INSTRUCTIONS, tool).toMatch(new RegExp(`\\b${tool}\\b`));
    // Snake-case words that are fields or keys, not tools.
    const fields = new Set(["cost_usd", "trace_id", "service_name"]);
    for (const word of INSTRUCTIONS.match(/\b[a-z]+(?:_[a-z]+)+\b/g) ?? []) {
      if (word.startsWith("gen_ai") || fields.has(word)) continue;
      expect(names.has(word), `instructions name '${word}', which is neither a tool nor a prompt`).toBe(true);
    }
  });

  it("matches the committed snapshot", () => {
    const current = `${JSON.stringify(tools, null, 2)}\n`;
    if (process.env.UPDATE_TOOL_SNAPSHOT === "1") writeFileSync(SNAPSHOT, current);
    const committed = readFileSync(SNAPSHOT, "utf8");
    expect(current, "tool surface changed: review, then run UPDATE_TOOL_SNAPSHOT=1 npm test").toBe(committed);
  });
});
