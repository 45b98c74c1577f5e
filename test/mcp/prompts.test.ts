/**
 * Prompts through a real MCP client: each is listed with a description and described, typed
 * arguments; each renders messages that name tools the server has, in the order to call them;
 * bad arguments are refused with a message that says which and why.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDataset } from "../helpers/dataset.js";
import { connect, TEST_NOW_MS, type Connected } from "../helpers/mcp.js";
import { MemoryBackend } from "../helpers/memory-backend.js";

let mcp: Connected;
let toolNames: string[];
let backend: MemoryBackend;
beforeAll(async () => {
  backend = new MemoryBackend(generateDataset({ traces: 6 }));
  mcp = await connect({ backendFactory: async () => backend });
  toolNames = (await mcp.client.listTools()).tools.map((t) => t.name);
});
afterAll(() => mcp.close());

async function text(name: string, args: Record<string, string>): Promise<string> {
  const res = await mcp.client.getPrompt({ name, arguments: args });
  expect(res.messages.length).toBeGreaterThan(0);
  return res.messages.map((m) => (m.content as { text: string }).text).join("\n");
}

async function refusal(name: string, args: Record<string, string>): Promise<{ code: number; message: string }> {
  try {
    await mcp.client.getPrompt({ name, arguments: args });
  } catch (err) {
    return err as { code: number; message: string };
  }
  throw new Error(`${name} accepted ${JSON.stringify(args)}`);
}

/** The tools a text names, in the order it first names them. */
function toolsNamed(body: string): string[] {
  const hits = toolNames.flatMap((t) => [...body.matchAll(new RegExp(`\\b${t}\\b`, "g"))].map((m) => ({ t, at: m.index! })));
  return [...new Set(hits.sort((a, b) => a.at - b.at).map((h) => h.t))];
}

describe("prompts/list", () => {
  it("lists at least four prompts, each with a description and described arguments", async () => {
    const { prompts } = await mcp.client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(["cost_review", "error_triage", "latency_regression", "debug_agent_loop"]);
    for (const p of prompts) {
      expect(p.description, p.name).toBeTruthy();
      expect(p.title, p.name).toBeTruthy();
      expect(p.arguments!.length, p.name).toBeGreaterThan(0);
      for (const a of p.arguments!) expect(a.description, `${p.name}.${a.name}`).toBeTruthy();
    }
    const required = Object.fromEntries(prompts.map((p) => [p.name, p.arguments!.filter((a) => a.required).map((a) => a.name)]));
    expect(required).toEqual({ cost_review: [], error_triage: ["service_name"], latency_regression: ["service_name"], debug_agent_loop: [] });
  });
});

describe("prompts/get", () => {
  it("cost_review: usage, dollars per model, the expensive traces, their analysis, then the main model's stats, scoped as asked", async () => {
    const body = await text("cost_review", { service_name: "chat-api", model: "gpt-4o", start_time: "7d" });
    expect(toolsNamed(body)).toEqual(["get_llm_usage", "aggregate_traces", "get_llm_expensive_traces", "analyze_trace", "get_trace", "get_llm_model_stats"]);
    expect(body).toContain('"group_by":["model"]');
    expect(body).toContain('"filters":[{"field":"model","operator":"equals","value":"gpt-4o"}]');
    expect(body).toContain('get_llm_usage {"start_time":"7d","service_name":"chat-api","gen_ai_request_model":"gpt-4o"}');
    expect(body).toContain("trace://<trace_id>");
    expect(await text("cost_review", {})).toContain('get_llm_usage {"start_time":"24h"}');
  });

  it("error_triage: error fingerprints first, then a trace, the service's error rates, failures over time, examples", async () => {
    const body = await text("error_triage", { service_name: "rag worker" });
    expect(toolsNamed(body)).toEqual(["analyze_errors", "get_trace", "aggregate_traces", "find_errors", "get_llm_model_stats"]);
    expect(body).toContain('analyze_errors {"service_name":"rag worker","start_time":"1h","include_stack_trace":true}');
    expect(body).toContain("service://rag%20worker");
  });

  it("latency_regression: compares the window with the one before it, as absolute times", async () => {
    const body = await text("latency_regression", { service_name: "chat-api", window: "30m", end_time: "2025-11-14T12:00:00Z" });
    const end = Date.parse("2025-11-14T12:00:00Z");
    const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
    expect(body).toContain(`"start_time":"${iso(end - 30 * 60_000)}","end_time":"${iso(end)}"`);
    expect(body).toContain(`"start_time":"${iso(end - 60 * 60_000)}","end_time":"${iso(end - 30 * 60_000)}"`);
    expect(toolsNamed(body)).toEqual(["aggregate_traces", "list_llm_models", "get_llm_model_stats", "get_llm_slow_traces", "analyze_trace", "search_traces", "get_trace"]);
    expect(body).toContain('"level":"trace"');
    // Without end_time the current window ends at the server's now.
    expect(await text("latency_regression", { service_name: "chat-api" })).toContain(`"end_time":"${iso(TEST_NOW_MS)}"`);
  });

  it("debug_agent_loop: from a trace, or from a session's traces", async () => {
    const id = "4b92cbc37323a694d7d71721b1efcb16";
    const byTrace = await text("debug_agent_loop", { trace_id: id });
    expect(byTrace).toContain(`trace://${id}`);
    expect(toolsNamed(byTrace)).toEqual(["analyze_trace", "get_trace", "list_llm_tools", "search_traces"]);
    const bySession = await text("debug_agent_loop", { session_id: "sess-42", service_name: "chat-api" });
    expect(bySession).toContain('get_session {"session_id":"sess-42","start_time":"24h"}');
    expect(toolsNamed(bySession)[0]).toBe("get_session");
  });

  it("never calls the backend", () => {
    expect(backend.searches).toBe(0);
    expect(backend.fetches).toBe(0);
  });

  it("refuses bad arguments with what was wrong and the valid arguments", async () => {
    const missing = await refusal("error_triage", {});
    expect(missing.code).toBe(-32602);
    expect(missing.message).toMatch(/Invalid arguments for prompt error_triage: service_name: .*Arguments: service_name \(required\), start_time, end_time\./);
    expect((await refusal("error_triage", { service_name: "x", start_time: "yesterday-ish" })).message).toMatch(/start_time: not a time/);
    expect((await refusal("latency_regression", { service_name: "x", window: "5 minutes" })).message).toMatch(/window: a window length like '30m'/);
    expect((await refusal("cost_review", { servce_name: "x" })).message).toMatch(/unknown argument\(s\) 'servce_name'/);
    expect((await refusal("debug_agent_loop", {})).message).toMatch(/Give trace_id or session_id/);
    expect((await refusal("debug_agent_loop", { trace_id: "xyz" })).message).toMatch(/trace_id: a trace id is 1 to 32 hexadecimal characters/);
    expect((await refusal("nope", {})).message).toMatch(/Unknown prompt 'nope'\. Available prompts: cost_review, error_triage, latency_regression, debug_agent_loop\./);
  });
});

// Last: it calls the tools, so the backend counters above would no longer be zero.
describe("the tool calls prompts prescribe", () => {
  it("writes every tool call it names with arguments the tool accepts", async () => {
    const { tools } = await mcp.client.listTools();
    const renders = [
      await text("cost_review", { service_name: "chat-api", model: "gpt-4o" }),
      await text("error_triage", { service_name: "chat-api" }),
      await text("latency_regression", { service_name: "chat-api", operation_name: "agent.workflow" }),
      await text("debug_agent_loop", { trace_id: "4b92cbc37323a694d7d71721b1efcb16" }),
      await text("debug_agent_loop", { session_id: "sess-42" }),
    ];
    let checked = 0;
    for (const body of renders) {
      for (const m of body.matchAll(/\b([a-z_]+) (\{)/g)) {
        if (!toolNames.includes(m[1]!)) continue;
        // The balanced JSON object after the tool's name.
        let depth = 0;
        let end = m.index! + m[0].length - 1;
        for (; end < body.length; end++) {
          if (body[end] === "{") depth++;
          else if (body[end] === "}" && --depth === 0) break;
        }
        const args = JSON.parse(body.slice(m.index! + m[0].length - 1, end + 1));
        const res = await mcp.client.callTool({ name: m[1]!, arguments: args });
        const message = (res.content as Array<{ text: string }>)[0]!.text;
        // Found or not, what matters is that the arguments were valid.
        expect(message, `${m[1]} ${JSON.stringify(args)}`).not.toMatch(/Invalid (query parameters|filter format)/);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(12);
    expect(tools.length).toBeGreaterThan(0);
  });
});
