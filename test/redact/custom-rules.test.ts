/** --redact-rules files: the good shape, and each way a file is refused (one line: file, entry, field). */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadRedactRules, parseRedactRules } from "../../src/redact/custom-rules.js";
import { ConfigError } from "../../src/errors.js";

const refusal = (rules: unknown): string => {
  try {
    parseRedactRules(typeof rules === "string" ? rules : JSON.stringify(rules), "/etc/rules.json");
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).not.toContain("\n");
    return (err as Error).message;
  }
  throw new Error("accepted");
};

describe("redact rules file", () => {
  it("loads patterns (defaults: no flags, level secrets) and attribute globs", () => {
    const dir = mkdtempSync(join(tmpdir(), "otel-mcp-rules-"));
    const file = join(dir, "rules.json");
    writeFileSync(file, JSON.stringify({ patterns: [{ name: "employee-id", regex: "EMP-\\d{6}" }, { name: "x", regex: "x+y", flags: "im", level: "pii" }], attributes: ["customer.*"] }));
    expect(loadRedactRules(file)).toEqual({
      file,
      patterns: [
        { name: "employee-id", source: "EMP-\\d{6}", flags: "", level: "secrets" },
        { name: "x", source: "x+y", flags: "im", level: "pii" },
      ],
      attributes: ["customer.*"],
    });
    expect(parseRedactRules("{}", "empty.json")).toEqual({ file: "empty.json", patterns: [], attributes: [] });
  });

  it.each<[string, unknown, string]>([
    ["not JSON", "{ nope", "Invalid redact rules file /etc/rules.json: (file): is not valid JSON"],
    ["an unknown top-level field", { pattern: [] }, "Invalid redact rules file /etc/rules.json: (top level): unknown field(s) 'pattern'"],
    ["patterns not a list", { patterns: {} }, "Invalid redact rules file /etc/rules.json: patterns: "],
    ["a missing regex", { patterns: [{ name: "a" }] }, "Invalid redact rules file /etc/rules.json: patterns[0].regex: "],
    ["a bad name", { patterns: [{ name: "has space", regex: "x" }] }, "patterns[0].name: must be 1-64 letters, digits"],
    ["an unknown level", { patterns: [{ name: "a", regex: "x", level: "content" }] }, "patterns[0].level: "],
    ["a g flag", { patterns: [{ name: "a", regex: "x", flags: "g" }] }, "patterns[0].flags: may only combine the flags i, m, s and u, each once"],
    ["a repeated flag", { patterns: [{ name: "a", regex: "x", flags: "ii" }] }, "patterns[0].flags: may only combine"],
    ["an invalid regex", { patterns: [{ name: "a", regex: "x" }, { name: "b", regex: "([a-z" }] }, "patterns[1].regex: is not a valid JavaScript regular expression"],
    ["a regex matching the empty string", { patterns: [{ name: "a", regex: "\\d*" }] }, "patterns[0].regex: matches the empty string"],
    ["an over-long regex", { patterns: [{ name: "a", regex: "x".repeat(501) }] }, "patterns[0].regex: must be at most 500 characters"],
    ["a duplicate name", { patterns: [{ name: "a", regex: "x" }, { name: "a", regex: "y" }] }, "patterns[1].name: duplicate name 'a'"],
    ["an empty attribute", { attributes: ["ok", " "] }, "attributes[1]: must not be empty"],
  ])("refuses %s", (_label, rules, expected) => {
    expect(refusal(rules)).toContain(expected);
  });

  it.each([
    ["nested quantifiers", "(a+)+$"],
    ["overlapping repetition", "^(\\w+\\s?)+$"],
    ["polynomial backtracking", "\\s*\\s*\\s*x"],
  ])("refuses a catastrophic regex (%s) within its time budget", (_label, regex) => {
    const started = performance.now();
    const message = refusal({ patterns: [{ name: "fine", regex: "EMP-\\d{6}" }, { name: "slow", regex }] });
    expect(message).toContain("patterns[1].regex: took longer than 250 ms on long adversarial inputs");
    expect(performance.now() - started).toBeLessThan(15_000);
  });

  it("names a missing file", () => {
    expect(() => loadRedactRules("/no/such/rules.json")).toThrow("Invalid redact rules file /no/such/rules.json: (file): no such file");
  });
});
