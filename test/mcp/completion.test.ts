/**
 * completion/complete through a real MCP client: service names for any service argument of a
 * prompt or resource template, models for model arguments and session ids for session_id, from
 * the backend (values counted here from the dataset), memoised briefly, and a failing backend
 * reported rather than answered with an empty list.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createSpan, type Trace } from "../../src/domain/trace.js";
import { COMPLETION_TTL_MS } from "../../src/prompts/completion.js";
import { generateDataset, MODELS, SERVICES } from "../helpers/dataset.js";
import { connect, TEST_NOW_MS, type Connected } from "../helpers/mcp.js";
import { MemoryBackend } from "../helpers/memory-backend.js";

let mcp: Connected | undefined;
afterEach(async () => {
  await mcp?.close();
  mcp = undefined;
});

type Ref = { type: "ref/prompt"; name: string } | { type: "ref/resource"; uri: string };
async function complete(ref: Ref, name: string, value: string) {
  return (await mcp!.client.complete({ ref, argument: { name, value } })).completion;
}
const prompt = (name: string): Ref => ({ type: "ref/prompt", name });

/** The dataset with a session id on every span of each trace: sess-<trace index mod 3>. */
function withSessions(traces: Trace[]): Trace[] {
  return traces.map((t, i) => ({ ...t, spans: t.spans.map((s) => createSpan({ ...s, attributes: { ...s.attributes, "session.id": `sess-${i % 3}` } })) }));
}

describe("completion/complete", () => {
  it("completes service names for prompts and the service:// template, by prefix then substring", async () => {
    const traces = generateDataset({ traces: 9 });
    mcp = await connect({ backendFactory: async () => new MemoryBackend(traces) });
    const all = [...new Set(traces.flatMap((t) => t.spans.map((s) => s.serviceName)))].sort();
    expect(all).toEqual([...SERVICES, "profile-svc"].sort());
    expect(await complete(prompt("error_triage"), "service_name", "")).toEqual({ values: all, total: all.length, hasMore: false });
    expect((await complete(prompt("cost_review"), "service_name", "RA")).values).toEqual(["rag-worker", "travel-agent"]);
    expect((await complete({ type: "ref/resource", uri: "service://{service_name}" }, "service_name", "tr")).values).toEqual(["travel-agent"]);
    expect((await complete(prompt("latency_regression"), "service_name", "zzz")).values).toEqual([]);
  });

  it("completes models from recent LLM calls, most used first", async () => {
    const traces = generateDataset({ traces: 8 });
    mcp = await connect({ backendFactory: async () => new MemoryBackend(traces) });
    // Ground truth: every requested and responding model in the dataset's LLM spans.
    const models = new Set(traces.flatMap((t) => t.spans.flatMap((s) => [s.attributes["gen_ai.request.model"], s.attributes["gen_ai.response.model"]])).filter((m): m is string => typeof m === "string"));
    const got = await complete(prompt("cost_review"), "model", "");
    expect(new Set(got.values)).toEqual(models);
    expect(got.values.length).toBe(models.size);
    const gpt = (await complete(prompt("cost_review"), "model", "gpt-4o-mini")).values;
    expect(gpt.sort()).toEqual([MODELS[1].request, MODELS[1].response].sort());
  });

  it("completes session ids from spans that carry session.id", async () => {
    mcp = await connect({ backendFactory: async () => new MemoryBackend(withSessions(generateDataset({ traces: 6 }))) });
    expect((await complete(prompt("debug_agent_loop"), "session_id", "")).values.sort()).toEqual(["sess-0", "sess-1", "sess-2"]);
    expect((await complete(prompt("debug_agent_loop"), "session_id", "sess-1")).values).toEqual(["sess-1"]);
  });

  it("answers from a short cache: one backend read per kind within the TTL, a fresh one after it", async () => {
    let now = TEST_NOW_MS;
    const backend = new MemoryBackend(generateDataset({ traces: 6 }));
    mcp = await connect({ backendFactory: async () => backend, now: () => now });
    await complete(prompt("cost_review"), "model", "");
    const after = backend.searches;
    expect(after).toBeGreaterThan(0);
    await complete(prompt("cost_review"), "model", "g");
    await complete(prompt("cost_review"), "model", "cl");
    expect(backend.searches).toBe(after);
    now += COMPLETION_TTL_MS + 1;
    await complete(prompt("cost_review"), "model", "");
    expect(backend.searches).toBeGreaterThan(after);
  });

  it("offers nothing for arguments that do not complete, and refuses unknown references", async () => {
    const backend = new MemoryBackend(generateDataset({ traces: 2 }));
    mcp = await connect({ backendFactory: async () => backend });
    expect(await complete(prompt("cost_review"), "start_time", "1")).toEqual({ values: [], total: 0, hasMore: false });
    expect(await complete({ type: "ref/resource", uri: "trace://{trace_id}" }, "trace_id", "4")).toEqual({ values: [], total: 0, hasMore: false });
    expect(backend.searches).toBe(0);
    await expect(complete(prompt("nope"), "service_name", "")).rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/Unknown prompt 'nope'/) });
    await expect(complete({ type: "ref/resource", uri: "span://{id}" }, "id", "")).rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/Unknown resource template/) });
  });

  it("reports a backend that is down instead of suggesting nothing", async () => {
    mcp = await connect({ flags: { backend: "jaeger", url: "http://127.0.0.1:9", timeout: "2" } });
    await expect(complete(prompt("error_triage"), "service_name", "")).rejects.toMatchObject({
      code: -32603,
      message: expect.stringMatching(/Failed to complete service_name: Cannot reach Jaeger at http:\/\/127\.0\.0\.1:9/),
    });
  });
});
