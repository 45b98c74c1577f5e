/** The keys file: validation messages, token checks, --auth-token, and reloads (watch and mtime fallback). */
import { createHash } from "node:crypto";
import { mkdtempSync, renameSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ApiKeyStore, parseApiKeys, type ReloadResult } from "../../src/access/api-keys.js";
import { ConfigError } from "../../src/errors.js";
import { silentLogger } from "../../src/logger.js";
import { captureLog } from "../helpers/log-capture.js";

const sha = (t: string) => createHash("sha256").update(t, "utf8").digest("hex");
const BILLING = "tok-billing-4f9a2c";
const SEARCH = "tok-search-77e1b0";

const keysJson = (keys: Array<{ name: string; token: string; services: string[] }>) =>
  JSON.stringify({ keys: keys.map((k) => ({ name: k.name, token_sha256: sha(k.token), services: k.services })) });

function tempFile(content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "otel-mcp-keys-")), "keys.json");
  writeFileSync(file, content);
  return file;
}

const stores: ApiKeyStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});
function open(options: Parameters<typeof ApiKeyStore.open>[0]): ApiKeyStore {
  const s = ApiKeyStore.open(options);
  stores.push(s);
  return s;
}

describe("parseApiKeys", () => {
  it("reads names, digests and services", () => {
    const keys = parseApiKeys(keysJson([{ name: "billing-team", token: BILLING, services: ["billing-service", "payment-*"] }]), "k.json");
    expect(keys).toEqual([{ name: "billing-team", digest: Buffer.from(sha(BILLING), "hex"), services: ["billing-service", "payment-*"] }]);
    // Upper-case hex is the same digest.
    const upper = parseApiKeys(JSON.stringify({ keys: [{ name: "a", token_sha256: sha(BILLING).toUpperCase(), services: ["*"] }] }), "k.json");
    expect(upper[0]!.digest.equals(keys[0]!.digest)).toBe(true);
  });

  const HASH = sha("x");
  it.each<[string, unknown, string]>([
    ["not JSON", "{keys:", "(file): is not valid JSON"],
    ["no keys", {}, "keys: "],
    ["an empty key list", { keys: [] }, "keys: must list at least one key"],
    ["a short hash", { keys: [{ name: "a", token_sha256: "abc", services: ["x"] }] }, "keys[0].token_sha256: must be the hex sha256 of the token (64 hex characters)"],
    ["a non-hex hash", { keys: [{ name: "a", token_sha256: "z".repeat(64), services: ["x"] }] }, "keys[0].token_sha256: must be the hex sha256"],
    ["no services", { keys: [{ name: "a", token_sha256: HASH, services: [] }] }, "keys[0].services: must list at least one service name or glob"],
    ["an empty service", { keys: [{ name: "a", token_sha256: HASH, services: ["ok", ""] }] }, "keys[0].services[1]: must not be empty"],
    ["an empty name", { keys: [{ name: " ", token_sha256: HASH, services: ["x"] }] }, "keys[0].name: must not be empty"],
    ["an unknown field", { keys: [{ name: "a", token_sha256: HASH, services: ["x"], token: "plain" }] }, "keys[0]: unknown field(s) 'token'"],
    ["a duplicate name", { keys: [{ name: "a", token_sha256: HASH, services: ["x"] }, { name: "a", token_sha256: sha("y"), services: ["x"] }] }, "keys[1].name: duplicate name 'a'"],
    ["a duplicate hash", { keys: [{ name: "a", token_sha256: HASH, services: ["x"] }, { name: "b", token_sha256: HASH.toUpperCase(), services: ["x"] }] }, "keys[1].token_sha256: the same token hash is listed twice"],
  ])("refuses %s with one line naming the file, entry and field", (_label, content, detail) => {
    let message = "";
    try {
      parseApiKeys(typeof content === "string" ? content : JSON.stringify(content), "/etc/keys.json");
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message.startsWith("Invalid API keys file /etc/keys.json: ")).toBe(true);
    expect(message).toContain(detail);
    expect(message).not.toContain("\n");
    expect(message).not.toContain(HASH);
    expect(message).not.toContain("plain");
  });
});

describe("ApiKeyStore", () => {
  it("authenticates each token to its key and scope; wrong, empty and missing tokens fail", () => {
    const file = tempFile(keysJson([{ name: "billing", token: BILLING, services: ["billing-*"] }, { name: "search", token: SEARCH, services: ["search-api"] }]));
    const store = open({ file, logger: silentLogger() });
    const billing = store.authenticate(BILLING)!;
    expect(billing.key).toBe("billing");
    expect(billing.scope.allows("billing-eu")).toBe(true);
    expect(billing.scope.allows("search-api")).toBe(false);
    expect(store.authenticate(SEARCH)!.key).toBe("search");
    expect(store.authenticate(`${BILLING}x`)).toBeUndefined();
    expect(store.authenticate(sha(BILLING))).toBeUndefined(); // the hash itself is not a token
    expect(store.authenticate("")).toBeUndefined();
    expect(store.authenticate(undefined)).toBeUndefined();
    expect(store.keyNames()).toEqual(["billing", "search"]);
  });

  it("--auth-token is an all-access key named auth-token, alone or beside the file", () => {
    const alone = open({ authToken: "s3cret-token", logger: silentLogger() });
    expect(alone.enabled).toBe(true);
    expect(alone.authenticate("s3cret-token")).toMatchObject({ key: "auth-token", scope: { all: true } });
    expect(alone.authenticate("s3cret-tokeN")).toBeUndefined();
    const both = open({ file: tempFile(keysJson([{ name: "billing", token: BILLING, services: ["b"] }])), authToken: "s3cret-token", logger: silentLogger() });
    expect(both.authenticate("s3cret-token")!.key).toBe("auth-token");
    expect(both.authenticate(BILLING)!.key).toBe("billing");
    expect(open({ logger: silentLogger() }).enabled).toBe(false);
  });

  it("a malformed file at start throws ConfigError", () => {
    expect(() => ApiKeyStore.open({ file: tempFile('{"keys": [{"name": "a"}]}'), logger: silentLogger() })).toThrow(ConfigError);
  });

  it("re-reads the file when it changes (watcher, debounced), also when replaced by a rename", async () => {
    const file = tempFile(keysJson([{ name: "billing", token: BILLING, services: ["b"] }]));
    const reloads: ReloadResult[] = [];
    let notify: () => void = () => {};
    const store = open({
      file,
      logger: silentLogger(),
      debounceMs: 20,
      onReload: (r) => {
        reloads.push(r);
        notify();
      },
    });
    const reloaded = new Promise<void>((resolve) => (notify = resolve));
    // Atomic replace, as editors do: write a sibling and rename it over the file.
    const next = `${file}.tmp`;
    writeFileSync(next, keysJson([{ name: "search", token: SEARCH, services: ["s"] }]));
    renameSync(next, file);
    await reloaded;
    expect(reloads.at(-1)).toEqual({ ok: true, keys: ["search"] });
    expect(store.keyNames()).toEqual(["search"]);
    expect(store.authenticate(SEARCH)!.key).toBe("search");
    expect(store.authenticate(BILLING)).toBeUndefined();
  });

  it("checks the file's mtime on each lookup when no change event arrives", () => {
    const file = tempFile(keysJson([{ name: "billing", token: BILLING, services: ["b"] }]));
    const store = open({ file, logger: silentLogger(), debounceMs: 600_000 });
    expect(store.authenticate(BILLING)!.key).toBe("billing");
    writeFileSync(file, keysJson([{ name: "search", token: SEARCH, services: ["s"] }]));
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    expect(store.authenticate(BILLING)).toBeUndefined();
    expect(store.authenticate(SEARCH)!.key).toBe("search");
  });

  it("a reload that fails validation keeps the previous keys and logs one error", () => {
    const file = tempFile(keysJson([{ name: "billing", token: BILLING, services: ["b"] }]));
    const { logger, lines } = captureLog();
    const reloads: ReloadResult[] = [];
    const store = open({ file, logger, debounceMs: 600_000, onReload: (r) => reloads.push(r) });
    writeFileSync(file, '{"keys": [{"name": "billing", "token_sha256": "nothex", "services": ["b"]}]}');
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    expect(store.authenticate(BILLING)!.key).toBe("billing");
    expect(store.authenticate(BILLING)!.key).toBe("billing"); // unchanged file: not re-read, not logged again
    expect(reloads).toHaveLength(1);
    expect(reloads[0]!.ok).toBe(false);
    const errors = lines.filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toBe(`Invalid API keys file ${file}: keys[0].token_sha256: must be the hex sha256 of the token (64 hex characters), e.g. from: printf %s TOKEN | sha256sum; keeping the previous 1 key(s)`);
  });
});
