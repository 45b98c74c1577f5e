import { afterEach, describe, expect, it } from "vitest";
import { toColumnar } from "../../src/tools/columnar.js";
import { generateDataset } from "../helpers/dataset.js";
import { MemoryBackend } from "../helpers/memory-backend.js";
import { connect, type Connected } from "../helpers/mcp.js";

/** Python's json.dumps(obj, indent=2): the original's rendering (",", ": " separators, ASCII-escaped). */
function pythonPretty(value: unknown, depth = 0): string {
  const pad = "  ".repeat(depth + 1);
  const end = "  ".repeat(depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => pad + pythonPretty(v, depth + 1)).join(",\n")}\n${end}]`;
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    return `{\n${entries.map(([k, v]) => `${pad}${JSON.stringify(k)}: ${pythonPretty(v, depth + 1)}`).join(",\n")}\n${end}}`;
  }
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function fromColumnar(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromColumnar);
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (Array.isArray(o.columns) && Array.isArray(o.rows) && Object.keys(o).length === 2) {
      return (o.rows as unknown[][]).map((row) => Object.fromEntries((o.columns as string[]).map((c, i) => [c, row[i]])));
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, fromColumnar(v)]));
  }
  return value;
}

describe("toColumnar", () => {
  it.each([
    ["uniform list", { items: [{ service_name: "a", duration_ms: 1 }, { service_name: "b", duration_ms: 2 }, { service_name: "c", duration_ms: 3 }] }, true],
    ["keys in a different order", { items: [{ a: 1, b: 2 }, { b: 3, a: 4 }] }, false],
    ["missing key", { items: [{ a: 1, b: 2 }, { a: 3 }] }, false],
    ["single item", { items: [{ a: 1, b: 2 }] }, false],
    ["not objects", { items: [1, 2, 3] }, false],
    ["below threshold", { items: [{ a: 1 }, { a: 2 }] }, false],
  ])("%s", (_name, input, converted) => {
    const out = toColumnar(input) as { items: unknown };
    expect(Array.isArray(out.items)).toBe(!converted);
    expect(fromColumnar(out)).toEqual(input);
  });

  it("converts lists inside nested objects, not inside list rows", () => {
    const item = (i: number) => ({ operation_name: `op${i}`, duration_ms: i });
    const input = { a: { list: [item(1), item(2), item(3)] }, rows: [{ k: [item(4), item(5), item(6)] }, { k: [] }] };
    const out = toColumnar(input) as { a: { list: { columns: string[] } }; rows: unknown };
    expect(out.a.list.columns).toEqual(["operation_name", "duration_ms"]);
    expect(out.rows).toEqual(input.rows);
  });

  it("honours the threshold bounds", () => {
    const input = [{ service_name: "a" }, { service_name: "b" }, { service_name: "c" }];
    expect(Array.isArray(toColumnar(input, 1))).toBe(true);
    expect(Array.isArray(toColumnar(input, 0))).toBe(false);
  });
});

describe("COMPRESS_RESPONSES", () => {
  let mcp: Connected | undefined;
  afterEach(async () => {
    await mcp?.close();
    mcp = undefined;
  });
  const traces = generateDataset({ seed: 1, traces: 100, fillerSpans: 24 });

  it("search_traces text for 100 traces is at least 35% smaller than the original's pretty JSON, losslessly", async () => {
    mcp = await connect({ backendFactory: async () => new MemoryBackend(traces), env: { COMPRESS_RESPONSES: "true" } });
    const r = await mcp.call("search_traces", { limit: 100 });
    const full = r.structured!;
    const { window: _w, ...originalKeys } = full;
    const original = pythonPretty(originalKeys);
    expect(1 - r.text.length / original.length).toBeGreaterThanOrEqual(0.35);
    expect(fromColumnar(r.json)).toEqual(full);
    expect((r.json.traces as { columns: string[] }).columns[0]).toBe("trace_id");
  });

  it("is off by default: text is the same object as structuredContent", async () => {
    mcp = await connect({ backendFactory: async () => new MemoryBackend(traces) });
    const r = await mcp.call("search_traces", { limit: 100 });
    expect(r.json).toEqual(r.structured);
    const { window: _w, ...originalKeys } = r.structured!;
    // Compact JSON alone: about a quarter smaller than the original's rendering.
    expect(1 - r.text.length / pythonPretty(originalKeys).length).toBeGreaterThan(0.2);
  });
});
