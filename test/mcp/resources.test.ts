/**
 * Resources through a real MCP client: the trace:// template answers what get_trace answers
 * (same JSON, same response budget and cut), service:// reports figures that match the dataset
 * counted here independently, errors are JSON-RPC errors that say what to do, and the tools that
 * list traces link each listed trace.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Span, Trace } from "../../src/domain/trace.js";
import { generateDataset } from "../helpers/dataset.js";
import { connect, TEST_NOW_MS, type Connected } from "../helpers/mcp.js";
import { MemoryBackend } from "../helpers/memory-backend.js";

const traces = generateDataset({ traces: 15 });
let mcp: Connected | undefined;
afterEach(async () => {
  await mcp?.close();
  mcp = undefined;
});

async function open(flags: Record<string, string> = {}, data: Trace[] = traces): Promise<Connected> {
  mcp = await connect({ flags, backendFactory: async () => new MemoryBackend(data) });
  return mcp;
}

async function read(uri: string): Promise<string> {
  const res = await mcp!.client.readResource({ uri });
  expect(res.contents).toHaveLength(1);
  expect(res.contents[0]).toMatchObject({ uri, mimeType: "application/json" });
  return (res.contents[0] as { text: string }).text;
}

async function readError(uri: string): Promise<{ code: number; message: string }> {
  try {
    await mcp!.client.readResource({ uri });
  } catch (err) {
    return err as { code: number; message: string };
  }
  throw new Error(`reading ${uri} did not fail`);
}

/** Linear-interpolation percentile, written here (not imported) as the ground truth. */
function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const i = (s.length - 1) * p;
  const lo = Math.floor(i);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (i - lo);
}

describe("resources/templates/list", () => {
  it("lists the trace and service templates, and no fixed resources", async () => {
    await open();
    const { resourceTemplates } = await mcp!.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(["trace://{trace_id}", "service://{service_name}"]);
    for (const t of resourceTemplates) {
      expect(t.description, t.name).toBeTruthy();
      expect(t.mimeType).toBe("application/json");
    }
    expect((await mcp!.client.listResources()).resources).toEqual([]);
    expect(mcp!.client.getServerCapabilities()).toMatchObject({ tools: {}, resources: {}, prompts: {}, completions: {} });
  });
});

describe("trace://{trace_id}", () => {
  it("is the get_trace answer, byte for byte", async () => {
    await open();
    const id = traces[3]!.traceId;
    const tool = await mcp!.call("get_trace", { trace_id: id });
    expect(await read(`trace://${id}`)).toBe(tool.text);
    expect(JSON.parse(tool.text).span_count).toBe(traces[3]!.spans.length);
  });

  it("is cut to the response budget exactly as get_trace is", async () => {
    const big = generateDataset({ traces: 2, fillerSpans: 40 });
    await open({ maxResponseChars: "2000" }, big);
    const id = big[1]!.traceId;
    const tool = await mcp!.call("get_trace", { trace_id: id });
    const text = await read(`trace://${id}`);
    expect(text).toBe(tool.text);
    expect(text.length).toBeLessThanOrEqual(2000);
    expect(JSON.parse(text).truncated.reason).toMatch(/response budget of 2000/);
  });

  it("answers an unknown trace with resource-not-found (-32002), a bad id and an unknown scheme with invalid params", async () => {
    await open();
    const missing = await readError("trace://0123456789abcdef0123456789abcdef");
    expect(missing.code).toBe(-32002);
    // (The SDK client puts "MCP error <code>: " in front; the wire message is checked over stdio.)
    expect(missing.message).toMatch(/Failed to fetch trace: .*not found/);
    const bad = await readError("trace://not-hex!");
    expect(bad.code).toBe(-32602);
    expect(bad.message).toMatch(/: Invalid trace URI: a trace id is 1 to 32 hexadecimal characters/);
    const scheme = await readError("span://abc");
    expect(scheme.code).toBe(-32602);
    expect(scheme.message).toMatch(/: Unknown resource URI 'span:\/\/abc'\. Resource URIs have the forms trace:\/\/\{trace_id\}, service:\/\/\{service_name\}/);
  });
});

describe("service://{service_name}", () => {
  it("reports each operation's requests, errors and duration percentiles as the dataset has them", async () => {
    await open();
    const service = "chat-api";
    const body = JSON.parse(await read(`service://${service}`)) as {
      service_name: string;
      totals: Record<string, number>;
      operations: Array<Record<string, number | string>>;
      coverage: { spans: number; complete: boolean };
      window: { start_time: string; end_time: string };
    };
    // Ground truth: the service's spans in the memory backend's default window, counted here.
    const startMs = Date.parse(body.window.start_time);
    const spans: Span[] = traces.flatMap((t) => t.spans).filter((s) => s.serviceName === service && s.startTimeUs / 1000 >= startMs && s.startTimeUs / 1000 <= TEST_NOW_MS);
    expect(spans.length).toBeGreaterThan(5);
    expect(body.service_name).toBe(service);
    expect(body.coverage).toEqual({ spans: spans.length, complete: true });
    expect(body.totals.requests).toBe(spans.length);
    expect(body.totals.errors).toBe(spans.filter((s) => s.status === "ERROR").length);
    const byOp = new Map<string, Span[]>();
    for (const s of spans) byOp.set(s.operationName, [...(byOp.get(s.operationName) ?? []), s]);
    expect(body.operations.map((o) => o.operation_name).sort()).toEqual([...byOp.keys()].sort());
    for (const op of body.operations) {
      const mine = byOp.get(op.operation_name as string)!;
      const durations = mine.map((s) => s.durationMs);
      const errors = mine.filter((s) => s.status === "ERROR").length;
      expect(op.requests).toBe(mine.length);
      expect(op.errors).toBe(errors);
      expect(op.error_rate).toBeCloseTo((errors / mine.length) * 100, 2);
      expect(op.p50_ms).toBeCloseTo(pct(durations, 0.5), 2);
      expect(op.p95_ms).toBeCloseTo(pct(durations, 0.95), 2);
      expect(op.per_minute as number).toBeGreaterThan(0);
    }
    // Most requested first.
    const counts = body.operations.map((o) => o.requests as number);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });

  it("says which services exist when the name is unknown", async () => {
    await open();
    const err = await readError("service://no-such-svc");
    expect(err.code).toBe(-32002);
    expect(err.message).toMatch(/: Unknown service 'no-such-svc'\. Known services: chat-api, profile-svc, rag-worker, travel-agent\.$/);
  });

  it("decodes a percent-encoded service name", async () => {
    const renamed = generateDataset({ traces: 3 }).map((t) => ({ ...t, spans: t.spans.map((s) => ({ ...s, serviceName: "checkout api" })) }));
    await open({}, renamed);
    const body = JSON.parse(await read("service://checkout%20api"));
    expect(body.service_name).toBe("checkout api");
    expect(body.totals.requests).toBe(renamed.flatMap((t) => t.spans).length);
  });
});

describe("resource links in tool answers", () => {
  type Content = Array<{ type: string; text?: string; uri?: string; name?: string; title?: string; mimeType?: string }>;
  async function content(tool: string, args: Record<string, unknown>): Promise<{ content: Content; structured: Record<string, unknown> }> {
    // The SDK client validates structuredContent against the tool's output schema on every call.
    const res = (await mcp!.client.callTool({ name: tool, arguments: args })) as { content: Content; structuredContent: Record<string, unknown>; isError?: boolean };
    expect(res.isError, JSON.stringify(res.content).slice(0, 300)).toBeFalsy();
    return { content: res.content, structured: res.structuredContent };
  }

  for (const [tool, key, args] of [
    ["search_traces", "traces", { limit: 5 }],
    ["find_errors", "error_traces", {}],
    ["get_llm_expensive_traces", "traces", { limit: 4 }],
    ["get_llm_slow_traces", "traces", { limit: 4 }],
  ] as const) {
    it(`${tool} links each trace it lists, after its text, leaving structuredContent alone`, async () => {
      await open();
      const { content: items, structured } = await content(tool, args);
      expect(items[0]!.type).toBe("text");
      expect(JSON.parse(items[0]!.text!)).toEqual(structured);
      const listed = (structured[key] as Array<{ trace_id: string; service_name: string; operation_name: string }>).slice(0, 10);
      expect(listed.length).toBeGreaterThan(0);
      expect(items.slice(1)).toEqual(
        listed.map((t) => ({ type: "resource_link", uri: `trace://${t.trace_id}`, name: t.trace_id, title: `${t.service_name}: ${t.operation_name}`, mimeType: "application/json" })),
      );
      // A link reads as get_trace would answer.
      expect(await read(items[1]!.uri!)).toBe((await mcp!.call("get_trace", { trace_id: listed[0]!.trace_id })).text);
    });
  }

  it("links at most ten traces, and only those the (cut) answer still lists", async () => {
    await open({ maxResponseChars: "2000" });
    const { content: items, structured } = await content("search_traces", { limit: 15 });
    const listed = structured.traces as Array<{ trace_id: string }>;
    expect(structured.truncated).toBeDefined();
    expect(items.slice(1).map((l) => l.uri)).toEqual(listed.slice(0, 10).map((t) => `trace://${t.trace_id}`));
    await mcp!.close();
    await open();
    const all = await content("search_traces", { limit: 15 });
    expect((all.structured.traces as unknown[]).length).toBe(15);
    expect(all.content.filter((c) => c.type === "resource_link")).toHaveLength(10);
  });

  it("leaves answers that list no traces without links", async () => {
    await open();
    const { content: items } = await content("list_services", {});
    expect(items.map((c) => c.type)).toEqual(["text"]);
  });
});
