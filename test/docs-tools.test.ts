/**
 * README shows every tool with a call and a real answer: the section exists, the call names the
 * tool with arguments its input schema accepts, and the answer parses under its output schema.
 * Stale examples (a renamed key, a removed argument) fail here.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TOOLS } from "../src/tools/index.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

/** The examples are shortened for reading: "… N more" elements and "…" keys stand for what was cut. */
function withoutElisions(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => !(typeof x === "string" && x.startsWith("…"))).map(withoutElisions);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).filter(([k]) => !k.startsWith("…")).map(([k, x]) => [k, withoutElisions(x)]));
  return v;
}

function section(name: string): string {
  const start = readme.indexOf(`\n### ${name}\n`);
  if (start < 0) return "";
  const next = readme.indexOf("\n##", start + 5);
  return readme.slice(start, next < 0 ? undefined : next);
}

describe("README documents every tool with a real example", () => {
  it.each(TOOLS.map((t) => [t.name, t] as const))("%s", (name, tool) => {
    const text = section(name);
    expect(text, `README has no "### ${name}" section`).not.toBe("");
    const blocks = [...text.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);
    expect(blocks.length, name).toBeGreaterThanOrEqual(2);
    const call = blocks[0] as { name: string; arguments: Record<string, unknown> };
    expect(call.name).toBe(name);
    const input = tool.input.safeParse(call.arguments);
    expect(input.success, JSON.stringify(input.error?.issues)).toBe(true);
    const output = tool.output.safeParse(withoutElisions(blocks[1]));
    expect(output.success, JSON.stringify(output.error?.issues)).toBe(true);
  });
});
