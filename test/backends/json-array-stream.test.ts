/**
 * The incremental `{..., "data": [...]}` reader against JSON.parse on the same bytes: every split
 * of the body into chunks gives the same elements and members, and whatever JSON.parse rejects is
 * rejected too.
 */
import { describe, expect, it } from "vitest";
import { JsonArrayStream, JsonSyntaxError, type StreamedJson } from "../../src/backends/json-array-stream.js";
import { rng } from "../helpers/dataset.js";

function run(body: Buffer, chunkSizes: (i: number) => number): { elements: unknown[]; result: StreamedJson } {
  const elements: unknown[] = [];
  const s = new JsonArrayStream("data", (v) => elements.push(v));
  let at = 0;
  for (let i = 0; at < body.length; i++) {
    const n = Math.max(1, chunkSizes(i));
    s.push(body.subarray(at, at + n));
    at += n;
  }
  return { elements, result: s.end() };
}

/** What JSON.parse says the stream must produce. */
function expected(text: string): { elements: unknown[]; result: StreamedJson } {
  const v: unknown = text.trim() === "" ? undefined : JSON.parse(text);
  if (typeof v !== "object" || v === null || Array.isArray(v)) return { elements: [], result: { kind: "value", value: v } };
  const { data, ...members } = v as Record<string, unknown>;
  if (!("data" in (v as object))) return { elements: [], result: { kind: "object", members, streamed: "absent" } };
  if (Array.isArray(data)) return { elements: data, result: { kind: "object", members, streamed: "array" } };
  return { elements: [], result: { kind: "object", members, streamed: { other: data } } };
}

function randomValue(rand: () => number, depth: number): unknown {
  const r = rand();
  if (depth > 3 || r < 0.3) {
    const k = Math.floor(rand() * 6);
    return [1.5e-7, -42, true, false, null, 'q"\\\n\u00e9\u{1F600}}]{[,:'][k];
  }
  if (r < 0.6) return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
  return Object.fromEntries(Array.from({ length: Math.floor(rand() * 4) }, (_, i) => [`k${i}"}`, randomValue(rand, depth + 1)]));
}

describe("JsonArrayStream", () => {
  it("matches JSON.parse for random bodies split at every chunk size", () => {
    const rand = rng(7);
    for (let round = 0; round < 60; round++) {
      const body = {
        total: round,
        errors: round % 3 === 0 ? [{ code: 1, msg: "x" }] : null,
        data: Array.from({ length: round % 5 }, () => randomValue(rand, 0)),
        limit: 0,
      };
      const spaced = round % 2 === 0 ? JSON.stringify(body) : JSON.stringify(body, null, 2);
      const bytes = Buffer.from(spaced);
      const want = expected(spaced);
      for (const size of [1, 2, 3, 7, 64, bytes.length]) expect(run(bytes, () => size)).toEqual(want);
      expect(run(bytes, () => 1 + Math.floor(rand() * 9))).toEqual(want);
    }
  });

  it.each([
    ["an empty body", "   "],
    ["a top-level array", "[1,2]"],
    ["a top-level string", '"x"'],
    ["an object without data", '{"a":1,"b":[{}]}'],
    ["data null", '{"data":null,"total":0}'],
    ["data of another type", '{"data":{"x":1}}'],
    ["an empty data list", '{"data":[]}'],
    ["scalar members at the end", '{"data":[1],"total":17}'],
    ["a scalar data element at the end", '{"data":[true]}'],
  ])("%s reads as JSON.parse reads it", (_name, text) => {
    const bytes = Buffer.from(text);
    for (const size of [1, 3, bytes.length]) expect(run(bytes, () => size)).toEqual(expected(text));
  });

  it.each([
    ['{"data":[1,]}'],
    ['{"data":[1 2]}'],
    ['{"a":1,}'],
    ['{"data":[{"a":1}'],
    ['{"data":[]'],
    ['{"data":[]} x'],
    ['{"data":[tru]}'],
    ['{"a" 1}'],
    ["{1:2}"],
    ["<html>"],
    ['{"data":["unterminated]}'],
  ])("rejects %s as JSON.parse does", (text) => {
    expect(() => JSON.parse(text)).toThrow();
    for (const size of [1, 4, text.length]) expect(() => run(Buffer.from(text), () => size)).toThrow(JsonSyntaxError);
  });

  it("hands each element over as soon as it is complete", () => {
    const seen: unknown[] = [];
    const s = new JsonArrayStream("data", (v) => seen.push(v));
    s.push(Buffer.from('{"data":[{"a":1},'));
    expect(seen).toEqual([{ a: 1 }]);
    s.push(Buffer.from('{"b":2}]}'));
    expect(seen).toEqual([{ a: 1 }, { b: 2 }]);
    expect(s.end()).toEqual({ kind: "object", members: {}, streamed: "array" });
  });
});
