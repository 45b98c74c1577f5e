/**
 * dist/ is self-contained: the package installs no runtime dependencies except what the bundle
 * keeps external (native addons), and the bin runs from a copy of dist/ with no node_modules
 * anywhere above it (the server on stdio and HTTP, `call`, demo-data's error path).
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonLines, mcpSession, REPO_ROOT, runCli } from "../helpers/cli-process.js";

const DIST = join(REPO_ROOT, "dist");
const PKG = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
const RUNTIME_DEPS = Object.keys(PKG.dependencies ?? {});

/** Module specifiers of the ESM imports in the bundle (`from"x"`, `import"x"`, `import("x")`) that are not relative. */
function bareImports(): Set<string> {
  const spec = /(?<![\w$.])(?:from|import)\s*\(?\s*["']((?:node:)?(?:@[\w.-]+\/)?[\w.-]+(?:\/[\w./-]*)?)["']/g;
  const found = new Set<string>();
  for (const file of readdirSync(DIST).filter((f) => /\.(m?js|cjs)$/.test(f))) {
    for (const m of readFileSync(join(DIST, file), "utf8").matchAll(spec)) if (!m[1]!.startsWith(".")) found.add(m[1]!);
  }
  return found;
}

const packageOf = (specifier: string) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");

describe("the bundle's dependencies", () => {
  it("imports nothing at run time but Node built-ins and the runtime dependencies", () => {
    const foreign = [...bareImports()].filter((s) => !isBuiltin(s) && !RUNTIME_DEPS.includes(packageOf(s)));
    expect(foreign).toEqual([]);
  });

  it("lists as runtime dependencies only packages the bundle leaves external (the rest are bundled)", () => {
    const imported = new Set([...bareImports()].map(packageOf));
    expect(RUNTIME_DEPS.filter((d) => !imported.has(d))).toEqual([]);
  });
});

describe("dist/ without node_modules", () => {
  let dir: string;
  let cli: string[];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "otel-mcp-bare-"));
    cpSync(DIST, join(dir, "dist"), { recursive: true });
    cpSync(join(REPO_ROOT, "package.json"), join(dir, "package.json"));
    cli = [process.execPath, join(dir, "dist", "cli.js")];
    // Node resolves bare imports through every node_modules above the file: there must be none.
    for (let d = dir; ; d = dirname(d)) {
      expect(existsSync(join(d, "node_modules")), d).toBe(false);
      if (dirname(d) === d) break;
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints its version and help", async () => {
    expect((await runCli(["--version"], { command: cli })).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect((await runCli(["--help"], { command: cli })).stdout).toContain("call [options] <tool> [json-args]");
  });

  it("serves initialize, tools/list and a tools/call on stdio", async () => {
    const r = await runCli(["--url", "http://127.0.0.1:9"], {
      command: cli,
      stdin: mcpSession([
        { id: 1, method: "tools/list" },
        { id: 2, method: "tools/call", params: { name: "get_trace", arguments: { trace_id: "0af7651916cd43dd8448eb211c80319c" } } },
      ]),
    });
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout).map((m) => m.id)).toEqual([0, 1, 2]);
    expect(r.stdout).toContain("Cannot reach Jaeger at http://127.0.0.1:9");
  });

  it("runs call (a backend error result: exit 1) and demo-data's error path", async () => {
    const call = await runCli(["--backend", "tempo", "--url", "http://127.0.0.1:9", "call", "list_services"], { command: cli });
    expect(call.code).toBe(1);
    expect(call.stderr).toMatch(/^opentelemetry-mcp: Failed to list services: Cannot reach Tempo at http:\/\/127\.0\.0\.1:9/);
    const demo = await runCli(["demo-data", "--otlp-endpoint", "http://127.0.0.1:9", "--traces", "2"], { command: cli });
    expect(demo.code).toBe(1);
    expect(demo.stderr).toMatch(/^opentelemetry-mcp: Could not send demo traces to http:\/\/127\.0\.0\.1:9\/v1\/traces: .*ECONNREFUSED/);
  });
});
