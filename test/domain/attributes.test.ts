import { describe, expect, it } from "vitest";
import {
  attrBool,
  attrInt,
  attrNumber,
  attrString,
  attrStringList,
  normalizeAttributes,
  toBool,
  toInt,
  toNumber,
  toStringList,
} from "../../src/domain/attributes.js";

describe("toNumber", () => {
  it.each([
    [42, 42],
    [1.5, 1.5],
    ["42", 42],
    [" 42 ", 42],
    ["-3.25", -3.25],
    ["+7", 7],
    [".5", 0.5],
    ["5.", 5],
    ["1e3", 1000],
    ["2.5E-1", 0.25],
  ])("%j -> %j", (input, expected) => {
    expect(toNumber(input)).toBe(expected);
  });

  // Number() accepts these; Python's float()/int() (what the original coerces with) does not.
  it.each([["0x1A"], ["0b11"], ["0o7"], [""], ["   "], ["abc"], ["12abc"], ["Infinity"], [Number.NaN], [Number.POSITIVE_INFINITY], [true], [null], [undefined], [[1]], [{}]])(
    "%j -> undefined",
    (input) => {
      expect(toNumber(input)).toBeUndefined();
    },
  );
});

describe("toInt", () => {
  it.each([
    [5, 5],
    ["150", 150],
    ["-2", -2],
    [0, 0],
  ])("%j -> %j", (input, expected) => {
    expect(toInt(input)).toBe(expected);
  });

  it.each([[12.5], ["12.5"], [true], [false], ["x"], [null]])("%j -> undefined", (input) => {
    expect(toInt(input)).toBeUndefined();
  });
});

describe("toBool", () => {
  it.each([
    [true, true],
    [false, false],
    [1, true],
    [0, false],
    ["true", true],
    ["TRUE", true],
    [" yes ", true],
    ["y", true],
    ["on", true],
    ["t", true],
    ["1", true],
    ["false", false],
    ["False", false],
    ["no", false],
    ["n", false],
    ["off", false],
    ["f", false],
    ["0", false],
  ])("%j -> %j", (input, expected) => {
    expect(toBool(input)).toBe(expected);
  });

  it.each([[2], [-1], ["maybe"], [""], [null], [[true]]])("%j -> undefined", (input) => {
    expect(toBool(input)).toBeUndefined();
  });
});

describe("toStringList", () => {
  it.each([
    [["stop", "length"], ["stop", "length"]],
    [[1, true], ["1", "true"]],
    ['["stop","length"]', ["stop", "length"]],
    [' ["stop"] ', ["stop"]],
    ["stop, length", ["stop", "length"]],
    ["stop", ["stop"]],
    ["a,,b, ", ["a", "b"]],
    ["", []],
    // Starts like JSON but is not: falls back to comma splitting.
    ["[stop", ["[stop"]],
  ])("%j -> %j", (input, expected) => {
    expect(toStringList(input)).toEqual(expected);
  });

  it.each([[5], [null], [{ a: 1 }]])("%j -> undefined", (input) => {
    expect(toStringList(input)).toBeUndefined();
  });
});

describe("normalizeAttributes", () => {
  it.each([
    ["gen_ai.usage.prompt_tokens", "223", 223],
    ["gen_ai.usage.total_tokens", 300, 300],
    ["llm.usage.completion_tokens", "7", 7],
    ["gen_ai.request.max_tokens", "512", 512],
    ["gen_ai.request.temperature", "0.7", 0.7],
    ["gen_ai.request.top_p", 1, 1],
    ["gen_ai.request.is_streaming", "false", false],
    ["gen_ai.request.is_streaming", "true", true],
    ["error", "1", true],
    ["gen_ai.response.finish_reasons", "stop", ["stop"]],
    ["gen_ai.response.finish_reasons", '["stop","tool_calls"]', ["stop", "tool_calls"]],
    ["llm.response.finish_reasons", ["length"], ["length"]],
    ["gen_ai.system", "openai", "openai"],
    ["gen_ai.request.model", 4, "4"],
    ["service.name", true, "true"],
  ])("coerces well-known key %s: %j -> %j", (key, raw, expected) => {
    expect(normalizeAttributes({ [key]: raw })[key]).toEqual(expected);
  });

  // Lenient where the original rejected the whole attribute bag: the raw value survives.
  it.each([
    ["gen_ai.usage.prompt_tokens", 12.5],
    ["gen_ai.usage.prompt_tokens", "lots"],
    ["gen_ai.request.is_streaming", "maybe"],
    ["gen_ai.request.temperature", "warm"],
    ["gen_ai.system", { nested: "x" }],
  ])("keeps an uncoercible value of %s as it came: %j", (key, raw) => {
    expect(normalizeAttributes({ [key]: raw })[key]).toEqual(raw);
  });

  it("keeps unknown keys verbatim (numeric strings stay strings) and drops null/undefined", () => {
    const out = normalizeAttributes({
      "http.status_code": "500",
      "gen_ai.usage.cache_read_input_tokens": "50",
      "custom.flag": false,
      "custom.list": [1, null, "a"],
      "custom.obj": { a: 1, b: null },
      "custom.big": 10n,
      "custom.nan": Number.NaN,
      "gone.null": null,
      "gone.undefined": undefined,
    });
    expect(out).toEqual({
      "http.status_code": "500",
      "gen_ai.usage.cache_read_input_tokens": "50",
      "custom.flag": false,
      "custom.list": [1, null, "a"],
      "custom.obj": { a: 1 },
      "custom.big": 10,
      "custom.nan": "NaN",
    });
  });
});

describe("attribute readers", () => {
  const attrs = normalizeAttributes({
    s: "text",
    n: 5,
    f: 2.5,
    numStr: "12",
    b: true,
    boolStr: "no",
    list: '["a","b"]',
    obj: { x: 1 },
  });

  it.each([
    ["s", "text"],
    ["n", "5"],
    ["b", "true"],
    ["obj", undefined],
    ["missing", undefined],
  ])("attrString(%s) -> %j", (key, expected) => {
    expect(attrString(attrs, key)).toBe(expected);
  });

  it.each([
    ["n", 5],
    ["numStr", 12],
    ["f", undefined],
    ["b", undefined],
    ["missing", undefined],
  ])("attrInt(%s) -> %j", (key, expected) => {
    expect(attrInt(attrs, key)).toBe(expected);
  });

  it.each([
    ["f", 2.5],
    ["numStr", 12],
    ["s", undefined],
  ])("attrNumber(%s) -> %j", (key, expected) => {
    expect(attrNumber(attrs, key)).toBe(expected);
  });

  it.each([
    ["b", true],
    ["boolStr", false],
    ["s", undefined],
  ])("attrBool(%s) -> %j", (key, expected) => {
    expect(attrBool(attrs, key)).toBe(expected);
  });

  it.each([
    ["list", ["a", "b"]],
    ["s", ["text"]],
    ["n", undefined],
  ])("attrStringList(%s) -> %j", (key, expected) => {
    expect(attrStringList(attrs, key)).toEqual(expected);
  });
});
