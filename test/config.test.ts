import { createHash } from "node:crypto";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_URLS, parseHeaders, resolveConfig, SETTINGS, type CliFlags, type Config, type Env } from "../src/config.js";
import { ConfigError } from "../src/errors.js";

/** The thrown ConfigError (fails the test if resolveConfig does not throw one). */
function configError(flags: CliFlags, env: Env): ConfigError {
  try {
    resolveConfig(flags, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("resolveConfig did not throw");
}

describe("defaults", () => {
  it("with nothing set: the local store in the per-user data directory, receiving OTLP on 127.0.0.1:4318, stdio", () => {
    const home = "/home/someone";
    expect(resolveConfig({}, { HOME: home })).toEqual({
      backend: {
        type: "local",
        url: `file://${home}/.local/share/opentelemetry-mcp`,
        timeoutMs: 30_000,
        environments: ["prd"],
        headers: {},
        implicit: true,
        local: {
          dataDir: `${home}/.local/share/opentelemetry-mcp`,
          otlpListen: { host: "127.0.0.1", port: 4318 },
          retentionMs: 7 * 86_400_000,
          maxBytes: 2048 * 1024 * 1024,
        },
      },
      logLevel: "info",
      maxTracesPerQuery: 1000,
      fetchConcurrency: 8,
      maxResponseChars: 80_000,
      compressResponses: false,
      transport: "stdio",
      host: "127.0.0.1",
      port: 8000,
      redact: "secrets",
    } satisfies Config);
  });

  it.each([
    ["jaeger", "http://localhost:16686"],
    ["tempo", "http://localhost:3200"],
    ["traceloop", "https://api.traceloop.com"],
  ] as const)("the default URL follows the backend: %s -> %s", (type, url) => {
    const viaFlag = resolveConfig({ backend: type, apiKey: "k" }, {});
    const viaEnv = resolveConfig({}, { BACKEND_TYPE: type, BACKEND_API_KEY: "k" });
    expect([viaFlag.backend.url, viaEnv.backend.url, DEFAULT_URLS[type]]).toEqual([url, url, url]);
  });

  it("empty strings count as unset (a Docker image's BACKEND_TYPE='' is not an error)", () => {
    const c = resolveConfig({ backend: "", url: "" }, { BACKEND_TYPE: "", BACKEND_URL: "", BACKEND_TIMEOUT: "", LOG_LEVEL: "", MCP_PORT: "", DATA_DIR: "", OTLP_LISTEN: "" });
    expect([c.backend.type, c.backend.timeoutMs, c.logLevel, c.port, c.backend.local?.otlpListen]).toEqual(["local", 30_000, "info", 8000, { host: "127.0.0.1", port: 4318 }]);
  });
});

const DIR = mkdtempSync(join(tmpdir(), "otel-mcp-config-"));
function file(name: string, content: string): string {
  const path = join(DIR, name);
  writeFileSync(path, content);
  return path;
}
const sha = (t: string) => createHash("sha256").update(t).digest("hex");
const RULES_A = file("rules-a.json", JSON.stringify({ patterns: [{ name: "emp-a", regex: "EMP-\\d{6}" }] }));
const RULES_B = file("rules-b.json", JSON.stringify({ attributes: ["customer.*"] }));
const KEYS_A = file("keys-a.json", JSON.stringify({ keys: [{ name: "a", token_sha256: sha("ta"), services: ["x"] }] }));
const KEYS_B = file("keys-b.json", JSON.stringify({ keys: [{ name: "b", token_sha256: sha("tb"), services: ["*"] }] }));
const AUDIT_A = join(DIR, "audit-a.jsonl");
const AUDIT_B = join(DIR, "audit-b.jsonl");

type Pick = (c: Config) => unknown;
/** [setting, flag key, a valid flag value, a different valid env value, reader, expected from flag, expected from env] */
const SETTING_ROWS: Array<[keyof typeof SETTINGS, keyof CliFlags, string, string, Pick, unknown, unknown]> = [
  ["backend", "backend", "tempo", "jaeger", (c) => c.backend.type, "tempo", "jaeger"],
  ["url", "url", "http://flag:1/", "https://env:2/base", (c) => c.backend.url, "http://flag:1", "https://env:2/base"],
  ["apiKey", "apiKey", "flag-key", "env-key", (c) => c.backend.apiKey, "flag-key", "env-key"],
  ["environments", "environments", "a, b", "c,,d", (c) => c.backend.environments, ["a", "b"], ["c", "d"]],
  ["timeout", "timeout", "0.5", "300", (c) => c.backend.timeoutMs, 500, 300_000],
  ["logLevel", "logLevel", "DEBUG", "warning", (c) => c.logLevel, "debug", "warn"],
  ["maxTraces", "maxTraces", "1", "1000", (c) => c.maxTracesPerQuery, 1, 1000],
  ["concurrency", "concurrency", "1", "64", (c) => c.fetchConcurrency, 1, 64],
  ["maxResponseChars", "maxResponseChars", "2000", "10000000", (c) => c.maxResponseChars, 2000, 10_000_000],
  ["transport", "transport", "HTTP", "stdio", (c) => c.transport, "http", "stdio"],
  ["host", "host", "0.0.0.0", "::1", (c) => c.host, "0.0.0.0", "::1"],
  ["port", "port", "0", "65535", (c) => c.port, 0, 65535],
  ["authToken", "authToken", "flag-token", "env-token", (c) => c.authToken, "flag-token", "env-token"],
  ["pricing", "pricing", " ./flag-prices.json ", "/etc/env-prices.json", (c) => c.pricingFile, "./flag-prices.json", "/etc/env-prices.json"],
  ["maxResponseMb", "backendMaxResponseMb", "1", "4096", (c) => c.backend.maxResponseBytes, 1024 * 1024, 4096 * 1024 * 1024],
  ["redact", "redact", "PII", " content ", (c) => c.redact, "pii", "content"],
  ["redactRules", "redactRules", RULES_A, RULES_B, (c) => c.redactRules?.file, RULES_A, RULES_B],
  ["apiKeysFile", "apiKeysFile", KEYS_A, KEYS_B, (c) => c.apiKeysFile, KEYS_A, KEYS_B],
  ["auditLog", "auditLog", AUDIT_A, AUDIT_B, (c) => c.auditLog, AUDIT_A, AUDIT_B],
  ["dataDir", "dataDir", "/srv/flag-traces", "/srv/env-traces", (c) => c.backend.local?.dataDir, "/srv/flag-traces", "/srv/env-traces"],
  ["otlpListen", "otlpListen", "0.0.0.0:4318", "none", (c) => c.backend.local?.otlpListen, { host: "0.0.0.0", port: 4318 }, "none"],
  ["otlpAuthToken", "otlpAuthToken", "flag-otlp", "env-otlp", (c) => c.backend.local?.otlpAuthToken, "flag-otlp", "env-otlp"],
  ["retention", "retention", "36h", "2w", (c) => c.backend.local?.retentionMs, 36 * 3_600_000, 14 * 86_400_000],
  ["storeMaxMb", "storeMaxMb", "16", "4096", (c) => c.backend.local?.maxBytes, 16 * 1024 * 1024, 4096 * 1024 * 1024],
];

describe("the local store", () => {
  it("is the default only when neither a backend nor a URL is given; a URL alone means Jaeger, as in the original", () => {
    expect(resolveConfig({}, {}).backend).toMatchObject({ type: "local", implicit: true });
    expect(resolveConfig({ url: "http://jaeger:16686" }, {}).backend).toMatchObject({ type: "jaeger", url: "http://jaeger:16686" });
    expect(resolveConfig({}, { BACKEND_URL: "http://jaeger:16686" }).backend.type).toBe("jaeger");
    const explicit = resolveConfig({ backend: "local" }, {}).backend;
    expect(explicit.type).toBe("local");
    expect(explicit.implicit).toBeUndefined();
    // Remote backends carry no store settings.
    expect(resolveConfig({ backend: "tempo" }, {}).backend.local).toBeUndefined();
  });

  it("refuses a URL for the local backend and says what to use", () => {
    expect(configError({ backend: "local", url: "http://x:1" }, {}).message).toMatch(/local backend reads the embedded store and has no URL: use --data-dir/);
  });

  it("resolves a relative data directory against the working directory, and honours XDG_DATA_HOME", () => {
    expect(resolveConfig({ dataDir: "traces" }, {}).backend.local?.dataDir).toBe(join(process.cwd(), "traces"));
    expect(resolveConfig({}, { XDG_DATA_HOME: "/data/xdg" }).backend.local?.dataDir).toBe("/data/xdg/opentelemetry-mcp");
    expect(resolveConfig({}, { XDG_DATA_HOME: "/data/xdg" }).backend.url).toBe("file:///data/xdg/opentelemetry-mcp");
  });

  it("reads the store's settings only for the local backend (OTLP_LISTEN may belong to another program)", () => {
    expect(() => resolveConfig({ backend: "jaeger" }, { OTLP_LISTEN: "not an address", DATA_RETENTION: "forever" })).not.toThrow();
  });

  it("guards the receiver with --auth-token unless --otlp-auth-token gives it its own", () => {
    expect(resolveConfig({ authToken: "mcp-token" }, {}).backend.local?.otlpAuthToken).toBe("mcp-token");
    expect(resolveConfig({ authToken: "mcp-token", otlpAuthToken: "otlp-token" }, {}).backend.local?.otlpAuthToken).toBe("otlp-token");
    expect(resolveConfig({}, {}).backend.local?.otlpAuthToken).toBeUndefined();
  });

  it("takes IPv6 listen addresses and none", () => {
    expect(resolveConfig({ otlpListen: "[::1]:4318" }, {}).backend.local?.otlpListen).toEqual({ host: "::1", port: 4318 });
    expect(resolveConfig({ otlpListen: " NONE " }, {}).backend.local?.otlpListen).toBe("none");
  });
});

describe("precedence: flag > environment > default", () => {
  it.each(SETTING_ROWS)("%s: the flag wins over the environment", (name, flagKey, flagValue, envValue, read, fromFlag) => {
    expect(read(resolveConfig({ [flagKey]: flagValue }, { [SETTINGS[name].env]: envValue }))).toEqual(fromFlag);
  });

  it.each(SETTING_ROWS)("%s: the environment is used without the flag", (name, _flagKey, _flagValue, envValue, read, _fromFlag, fromEnv) => {
    expect(read(resolveConfig({}, { [SETTINGS[name].env]: envValue }))).toEqual(fromEnv);
  });
});

/** [setting, flag key, invalid values, what the message says] */
const INVALID_ROWS: Array<[keyof typeof SETTINGS, keyof CliFlags, string[], string]> = [
  ["backend", "backend", ["zipkin", "Jaeger", "jaeger "], "must be one of local, jaeger, tempo, traceloop, clickhouse"],
  ["url", "url", ["not a url", "http://", "localhost:16686"], ""],
  ["url", "url", ["ftp://example.com", "file:///tmp/x", "ws://localhost:16686"], "URL must use http or https scheme"],
  ["timeout", "timeout", ["0", "-1", "301", "abc", "Infinity", "0x1e"], "greater than 0 and at most 300"],
  ["environments", "environments", [",", " , ,"], "must list at least one environment"],
  ["logLevel", "logLevel", ["CRITICAL", "verbose", "trace"], "must be one of debug, info, warn, error"],
  ["maxTraces", "maxTraces", ["0", "1001", "abc", "1.5", "-5"], "whole number from 1 to 1000"],
  ["concurrency", "concurrency", ["0", "65", "abc", "2.5"], "whole number from 1 to 64"],
  ["maxResponseChars", "maxResponseChars", ["1999", "10000001", "abc"], "whole number from 2000 to 10000000"],
  ["transport", "transport", ["sse", "websocket"], "must be one of stdio, http"],
  ["port", "port", ["-1", "70000", "65536", "abc", "80.5"], "whole number from 0 to 65535"],
  ["pricing", "pricing", [" ", "\t"], "must name a JSON file of price overrides"],
  ["maxResponseMb", "backendMaxResponseMb", ["0", "4097", "abc", "1.5", "-1"], "whole number from 1 to 4096"],
  ["redact", "redact", ["strict", "all", "secret"], "must be one of none, secrets, pii, content"],
  ["auditLog", "auditLog", [join(DIR, "no-such-dir", "audit.jsonl")], "cannot open the file for appending (ENOENT)"],
  ["otlpListen", "otlpListen", ["4318", "localhost", "[::1]", "127.0.0.1:70000"], "use HOST:PORT"],
  ["retention", "retention", ["7", "0d", "1y", "7 days"], "must be a duration like 7d"],
  ["storeMaxMb", "storeMaxMb", ["0", "15", "abc"], "whole number from 16"],
];
const LOCAL_STORE_SETTINGS: ReadonlyArray<keyof typeof SETTINGS> = ["dataDir", "otlpListen", "otlpAuthToken", "retention", "storeMaxMb"];
const INVALID_CASES = INVALID_ROWS.flatMap(([name, flagKey, values, why]) => values.map((v) => [name, flagKey, v, why] as const));

describe("invalid values", () => {
  it.each(INVALID_CASES)("%s (%s) = %j from the environment names the flag and the env var", (name, _flagKey, value, why) => {
    const { flag, env } = SETTINGS[name];
    const err = configError({}, { [env]: value });
    expect(err.message).toContain(`for ${flag} / ${env} (from ${env})`);
    expect(err.message).toContain(why);
  });

  it.each(INVALID_CASES)("%s (%s) = %j from the flag names the flag and the env var", (name, flagKey, value, why) => {
    const { flag, env } = SETTINGS[name];
    const err = configError({ [flagKey]: value }, {});
    expect(err.message).toContain(`for ${flag} / ${env} (from ${flag})`);
    expect(err.message).toContain(why);
  });

  it.each(INVALID_CASES)("%s (%s) = %j in the environment is rescued by a valid flag", (name, flagKey, value) => {
    const valid = SETTING_ROWS.find((r) => r[0] === name)!;
    expect(() => resolveConfig({ [flagKey]: valid[2] }, { [SETTINGS[name].env]: value })).not.toThrow();
  });

  it("quotes the bad value so the user can see what was read", () => {
    expect(configError({}, { BACKEND_TIMEOUT: "abc" }).message).toBe(
      "Invalid value 'abc' for --timeout / BACKEND_TIMEOUT (from BACKEND_TIMEOUT): must be a number of seconds greater than 0 and at most 300",
    );
  });

  it.each(["debug", "DEBUG", "Info", "INFO", "WARNING", "warning", "Warn", "ERROR", "error"])("log level %s is accepted", (level) => {
    expect(() => resolveConfig({ logLevel: level }, {})).not.toThrow();
  });

  it("URLs lose trailing slashes and keep their path", () => {
    expect(resolveConfig({ url: " http://jaeger.internal:16686/ " }, {}).backend.url).toBe("http://jaeger.internal:16686");
    expect(resolveConfig({ url: "https://host/prefix//" }, {}).backend.url).toBe("https://host/prefix");
  });
});

describe("traceloop needs an API key", () => {
  it.each<[CliFlags, Env]>([
    [{ backend: "traceloop" }, {}],
    [{}, { BACKEND_TYPE: "traceloop" }],
    [{ backend: "traceloop", apiKey: "" }, { BACKEND_API_KEY: "" }],
  ])("%j %j", (flags, env) => {
    expect(configError(flags, env).message).toBe("The traceloop backend needs an API key: pass --api-key or set BACKEND_API_KEY");
  });

  it.each<[CliFlags, Env]>([
    [{ backend: "traceloop", apiKey: "k" }, {}],
    [{ backend: "traceloop" }, { BACKEND_API_KEY: "k" }],
  ])("accepted with a key: %j %j", (flags, env) => {
    expect(resolveConfig(flags, env).backend.apiKey).toBe("k");
  });
});

describe("headers", () => {
  it.each<[string, Env, string[] | undefined, Record<string, string>]>([
    ["entries from BACKEND_HEADERS, names lower-cased", { BACKEND_HEADERS: "X-Scope-OrgID: tenant-a, X-Extra:1" }, undefined, { "x-scope-orgid": "tenant-a", "x-extra": "1" }],
    ["newline-separated entries", { BACKEND_HEADERS: "X-A: 1\nX-B: 2\n" }, undefined, { "x-a": "1", "x-b": "2" }],
    ["JSON object", { BACKEND_HEADERS: '{"X-A": "1", "x-b": "two words"}' }, undefined, { "x-a": "1", "x-b": "two words" }],
    ["a comma inside a value stays in the value", { BACKEND_HEADERS: "Accept: a/b, c/d" }, undefined, { accept: "a/b, c/d" }],
    ["colons inside a value are kept", { BACKEND_HEADERS: "X-Url: http://x:1/y" }, undefined, { "x-url": "http://x:1/y" }],
    ["--header alone", {}, ["X-Scope-OrgID: acme"], { "x-scope-orgid": "acme" }],
    ["--header with a comma in its value is one header", {}, ["X-List: a, b: c"], { "x-list": "a, b: c" }],
    ["--header as JSON", {}, ['{"X-A":"1"}'], { "x-a": "1" }],
    ["a flag wins over the environment per name, case-insensitively", { BACKEND_HEADERS: "X-Scope-OrgID: env, X-Keep: yes" }, ["x-scope-orgid: flag"], { "x-scope-orgid": "flag", "x-keep": "yes" }],
    ["the last of repeated flags wins", {}, ["X-A: 1", "x-a: 2"], { "x-a": "2" }],
    ["an empty value is allowed", {}, ["X-Empty:"], { "x-empty": "" }],
  ])("%s", (_label, env, header, expected) => {
    const flags: CliFlags = header ? { header } : {};
    expect(resolveConfig(flags, env).backend.headers).toEqual(expected);
  });

  it.each<[string, CliFlags, Env, string]>([
    ["entry without a colon (env)", {}, { BACKEND_HEADERS: "X-A: 1\nnocolon" }, "entry 2 is not in the form 'Name: value'"],
    ["value without a colon (env)", {}, { BACKEND_HEADERS: "nocolon" }, "the value is not in the form 'Name: value'"],
    ["bad JSON (env)", {}, { BACKEND_HEADERS: "{not json" }, "is not a valid JSON object"],
    ["JSON array (env)", {}, { BACKEND_HEADERS: "[1,2]" }, "is not in the form 'Name: value'"],
    ["JSON with a non-string value (env)", {}, { BACKEND_HEADERS: '{"X-A": 1}' }, "header 'X-A' must have a string value"],
    ["invalid header name (env)", {}, { BACKEND_HEADERS: "Bad Name: x" }, "a header name may only contain"],
    ["flag without a colon", { header: ["nocolon"] }, {}, "the value is not in the form 'Name: value'"],
    ["flag with an invalid name", { header: ["Bad Name: x"] }, {}, "a header name may only contain"],
    ["flag with bad JSON", { header: ["{oops"] }, {}, "is not a valid JSON object"],
  ])("%s", (_label, flags, env, why) => {
    const err = configError(flags, env);
    expect(err.message).toContain("--header / BACKEND_HEADERS");
    expect(err.message).toContain(why);
  });

  it("parseHeaders parses without a config", () => {
    expect(parseHeaders("A: 1, B: 2")).toEqual({ a: "1", b: "2" });
    expect(parseHeaders("")).toEqual({});
  });
});

describe("secrets never appear in a ConfigError", () => {
  const SECRET = "sk-Secret-0123456789";
  /** Any 6 consecutive characters of the secret: JSON.parse's message quotes only a window of its input. */
  const leaks = (message: string): boolean => [...Array(SECRET.length - 5).keys()].some((i) => message.includes(SECRET.slice(i, i + 6)));

  it.each(INVALID_CASES)("API key with %s (%s) = %j", (name, _flagKey, value) => {
    // The local store's settings are read (and checked) only for the local backend.
    if (!LOCAL_STORE_SETTINGS.includes(name)) {
      const viaEnv = configError({ apiKey: SECRET }, { BACKEND_TYPE: "traceloop", [SETTINGS[name].env]: value });
      expect(leaks(viaEnv.message)).toBe(false);
    }
    const viaEnvKey = configError({}, { BACKEND_API_KEY: SECRET, [SETTINGS[name].env]: value });
    expect(leaks(viaEnvKey.message)).toBe(false);
  });

  it.each<[string, CliFlags, Env]>([
    ["env entry without a name", {}, { BACKEND_HEADERS: `X-A: 1\nBearer ${SECRET}` }],
    ["env JSON with an unquoted value", {}, { BACKEND_HEADERS: `{"Authorization": ${SECRET}}` }],
    ["env JSON with a non-string value", {}, { BACKEND_HEADERS: `{"Authorization": ["${SECRET}"]}` }],
    ["env entry whose name holds the token", {}, { BACKEND_HEADERS: `Bearer ${SECRET}: x` }],
    ["flag without a colon", { header: [`Bearer ${SECRET}`] }, {}],
    ["flag whose name holds the token", { header: [`Bearer ${SECRET}: x`] }, {}],
    ["flag with bad JSON", { header: [`{"Authorization": ${SECRET}}`] }, {}],
    ["credentials in a URL with a bad scheme", { url: `ftp://user:${SECRET}@host/` }, {}],
    ["credentials in an env URL with a bad scheme", {}, { BACKEND_URL: `ws://user:${SECRET}@host` }],
    ["traceloop without a key but with a token header", { backend: "traceloop", header: [`Authorization: Bearer ${SECRET}`] }, {}],
  ])("header values and URL credentials: %s", (_label, flags, env) => {
    const { message } = configError(flags, env);
    expect(message).toContain("BACKEND_");
    expect(leaks(message)).toBe(false);
  });
});

describe("COMPRESS_RESPONSES / --compress-responses", () => {
  it.each([
    [{}, {}, false],
    [{}, { COMPRESS_RESPONSES: "true" }, true],
    [{}, { COMPRESS_RESPONSES: "1" }, true],
    [{}, { COMPRESS_RESPONSES: "false" }, false],
    [{ compressResponses: true }, { COMPRESS_RESPONSES: "false" }, true],
  ])("flags %j env %j -> %s", (flags, env, expected) => {
    expect(resolveConfig(flags, env).compressResponses).toBe(expected);
  });

  it("rejects a value that is not a boolean, naming flag and variable", () => {
    expect(() => resolveConfig({}, { COMPRESS_RESPONSES: "maybe" })).toThrow(/--compress-responses \/ COMPRESS_RESPONSES.*true or false/);
  });
});

describe("redaction, API keys and audit files", () => {
  it("--redact-rules is loaded and validated at start", () => {
    const c = resolveConfig({ redactRules: RULES_A }, {});
    expect(c.redactRules).toEqual({ file: RULES_A, patterns: [{ name: "emp-a", source: "EMP-\\d{6}", flags: "", level: "secrets" }], attributes: [] });
  });

  it.each<[string, string, string]>([
    ["not JSON", "{ patterns: [", "(file): is not valid JSON"],
    ["a bad regex", JSON.stringify({ patterns: [{ name: "ok", regex: "a" }, { name: "bad", regex: "(" }] }), "patterns[1].regex: is not a valid JavaScript regular expression"],
    ["an unknown field", JSON.stringify({ pattern: [] }), "(top level): unknown field(s) 'pattern'"],
  ])("a rules file with %s fails with one line naming flag, env var, file, entry and field", (_label, content, detail) => {
    const path = file(`bad-rules-${detail.length}.json`, content);
    for (const [flags, env, from] of [[{ redactRules: path }, {}, "--redact-rules"], [{}, { REDACT_RULES_FILE: path }, "REDACT_RULES_FILE"]] as const) {
      const { message } = configError(flags, env);
      expect(message).toBe(`--redact-rules / REDACT_RULES_FILE (from ${from}): Invalid redact rules file ${path}: ${message.split(`${path}: `)[1]}`);
      expect(message).toContain(detail);
      expect(message).not.toContain("\n");
    }
  });

  it("a malformed keys file fails with one line naming flag, env var, file, entry and field (and no hash)", () => {
    const hash = sha("secret-token");
    const path = file("bad-keys.json", JSON.stringify({ keys: [{ name: "a", token_sha256: hash, services: [] }] }));
    const { message } = configError({}, { MCP_API_KEYS_FILE: path });
    expect(message).toBe(
      `--api-keys-file / MCP_API_KEYS_FILE (from MCP_API_KEYS_FILE): Invalid API keys file ${path}: keys[0].services: must list at least one service name or glob (["*"] for every service)`,
    );
    expect(message).not.toContain(hash);
    expect(configError({ apiKeysFile: join(DIR, "absent.json") }, {}).message).toContain("absent.json: (file): no such file");
  });

  it("--audit-log creates the file with mode 0600", () => {
    const path = join(DIR, "fresh-audit.jsonl");
    expect(resolveConfig({ auditLog: path }, {}).auditLog).toBe(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
