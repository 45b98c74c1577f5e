/**
 * --redact-rules FILE: the user's own patterns and attribute names, validated once at start.
 *
 *   { "patterns": [ { "name": "employee-id", "regex": "EMP-\\d{6}", "flags": "i", "level": "pii" } ],
 *     "attributes": [ "x-internal-token", "customer.*" ] }
 *
 * A pattern runs on every scanned string, so a regex that backtracks catastrophically would stall
 * every tool call: each one is capped in length, must not match the empty string, and is run
 * against long adversarial inputs in a worker thread under a time budget before it is accepted.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { z } from "zod";
import { ConfigError } from "../errors.js";

export const MAX_PATTERN_LENGTH = 500;
/** Time a pattern may take over all adversarial inputs (they total about 200,000 characters). */
export const PATTERN_BUDGET_MS = 250;

/** The file's schema, built on first use: the config module (on the start-up path) imports this file. */
function buildSchema() {
  const pattern = z.strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "must be 1-64 letters, digits, '_', '.' or '-' (it is shown as [REDACTED:<name>])"),
    regex: z.string().min(1, "must not be empty").max(MAX_PATTERN_LENGTH, `must be at most ${MAX_PATTERN_LENGTH} characters`),
    flags: z
      .string()
      .regex(/^(?:([imsu])(?!.*\1))*$/, "may only combine the flags i, m, s and u, each once")
      .optional(),
    level: z.enum(["secrets", "pii"]).optional(),
  });
  return z.strictObject({
    patterns: z.array(pattern).optional(),
    attributes: z.array(z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters")).optional(),
  });
}
let schema: ReturnType<typeof buildSchema> | undefined;

export interface CustomPattern {
  name: string;
  source: string;
  flags: string;
  level: "secrets" | "pii";
}

export interface RedactRules {
  /** Where the rules came from (for messages). */
  file: string;
  patterns: CustomPattern[];
  /** Attribute-name globs whose values are replaced whole. */
  attributes: string[];
}

function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "") || "(top level)";
}

function fail(file: string, where: string, why: string): never {
  throw new ConfigError(`Invalid redact rules file ${file}: ${where}: ${why}`);
}

/** Adversarial inputs: long runs of each character class, then a character that defeats the match. */
function adversarialInputs(): string[] {
  const runs = ["a", "A", "0", "_", "-", ".", "@", ":", "/", " ", "\t", "ab", "a1", "a ", "a.", "aA0-_.@"];
  return runs.map((r) => r.repeat(Math.ceil(12_000 / r.length)) + "!\u0000");
}

/** state[0]: 1 once the worker runs, then 1 + the number of patterns finished. */
const GUARD_SOURCE = `
const { workerData } = require("node:worker_threads");
const state = new Int32Array(workerData.shared);
const tick = () => { Atomics.add(state, 0, 1); Atomics.notify(state, 0); };
tick();
for (const p of workerData.patterns) {
  const re = new RegExp(p.source, "g" + p.flags);
  for (const input of workerData.inputs) {
    re.lastIndex = 0;
    let m;
    while ((m = re.exec(input)) !== null) if (m[0] === "") re.lastIndex++;
  }
  tick();
}
`;

const WORKER_START_MS = 10_000;

/**
 * Runs every pattern over the adversarial inputs in a worker; the calling thread blocks (the
 * config is resolved synchronously) until each finishes, and names the first that overruns its
 * budget. Returns the index of the slow pattern, or -1.
 */
export function findSlowPattern(patterns: readonly CustomPattern[], budgetMs = PATTERN_BUDGET_MS): number {
  if (patterns.length === 0) return -1;
  // Loaded here, not imported: node:worker_threads takes milliseconds to load, and this module is on the start-up path.
  const { Worker } = createRequire(import.meta.url)("node:worker_threads") as typeof import("node:worker_threads");
  const shared = new SharedArrayBuffer(4);
  const state = new Int32Array(shared);
  const worker = new Worker(GUARD_SOURCE, {
    eval: true,
    workerData: { shared, inputs: adversarialInputs(), patterns: patterns.map((p) => ({ source: p.source, flags: p.flags })) },
  });
  worker.unref();
  try {
    // Worker start-up (slow on a loaded machine) is not charged to the first pattern.
    Atomics.wait(state, 0, 0, WORKER_START_MS);
    for (let seen = Atomics.load(state, 0); seen === 0 || seen <= patterns.length; seen = Atomics.load(state, 0)) {
      const waited = Atomics.wait(state, 0, seen, seen === 0 ? WORKER_START_MS : budgetMs);
      if (waited === "timed-out" && Atomics.load(state, 0) === seen) {
        if (seen === 0) throw new ConfigError("Could not start the worker that checks --redact-rules patterns");
        return seen - 1;
      }
    }
    return -1;
  } finally {
    void worker.terminate();
  }
}

/** Parses and checks a rules file's text. */
export function parseRedactRules(text: string, file: string, budgetMs = PATTERN_BUDGET_MS): RedactRules {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    fail(file, "(file)", `is not valid JSON (${(err as Error).message.replace(/\s+/g, " ")})`);
  }
  const parsed = (schema ??= buildSchema()).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const why = issue.code === "unrecognized_keys" ? `unknown field(s) ${issue.keys.map((k) => `'${k}'`).join(", ")}` : issue.message;
    fail(file, issuePath(issue.path), why);
  }
  const patterns: CustomPattern[] = [];
  const names = new Set<string>();
  (parsed.data.patterns ?? []).forEach((p, i) => {
    if (names.has(p.name)) fail(file, `patterns[${i}].name`, `duplicate name '${p.name}'`);
    names.add(p.name);
    let re: RegExp;
    try {
      re = new RegExp(p.regex, p.flags ?? "");
    } catch (err) {
      fail(file, `patterns[${i}].regex`, `is not a valid JavaScript regular expression (${(err as Error).message})`);
    }
    if (re.test("")) fail(file, `patterns[${i}].regex`, "matches the empty string; it must match at least one character");
    patterns.push({ name: p.name, source: p.regex, flags: p.flags ?? "", level: p.level ?? "secrets" });
  });
  const slow = findSlowPattern(patterns, budgetMs);
  if (slow >= 0) {
    fail(
      file,
      `patterns[${slow}].regex`,
      `took longer than ${budgetMs} ms on long adversarial inputs (catastrophic backtracking, e.g. nested quantifiers like (a+)+); simplify it`,
    );
  }
  return { file, patterns, attributes: parsed.data.attributes ?? [] };
}

export function loadRedactRules(file: string, budgetMs = PATTERN_BUDGET_MS): RedactRules {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    fail(file, "(file)", code === "ENOENT" ? "no such file" : `cannot be read (${code ?? (err as Error).message})`);
  }
  return parseRedactRules(text, file, budgetMs);
}
