/**
 * Scoped API keys for the HTTP transport (--api-keys-file / MCP_API_KEYS_FILE):
 *
 *   { "keys": [ { "name": "billing-team", "token_sha256": "<hex sha256 of the token>",
 *                 "services": ["billing-service", "payment-*"] } ] }
 *
 * The file holds only token hashes. A presented token is hashed and its digest compared with
 * every key's digest in constant time, without stopping at a match, so neither the comparison
 * nor the loop reveals which key (or how much of one) matched. --auth-token joins the set as an
 * all-access key named `auth-token`. The file is watched and re-read when it changes (an fs.watch
 * on its directory, debounced, plus an mtime/size check on every lookup in case a change event is
 * missed); a changed file that fails validation leaves the previous keys in force.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync, statSync, watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";
import { z } from "zod";
import { ConfigError } from "../errors.js";
import type { Logger } from "../logger.js";
import { AUTH_TOKEN_KEY_NAME, type Caller } from "./caller.js";
import { ALL_SERVICES, serviceScope } from "./scope.js";

export interface ApiKey {
  name: string;
  /** sha256 of the token (32 bytes). */
  digest: Buffer;
  services: string[];
}

/** The file's schema, built on first use: the config module (on the start-up path) imports this file. */
function buildSchema() {
  const key = z.strictObject({
    name: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
    token_sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, "must be the hex sha256 of the token (64 hex characters), e.g. from: printf %s TOKEN | sha256sum"),
    services: z
      .array(z.string().trim().min(1, "must not be empty"))
      .min(1, 'must list at least one service name or glob (["*"] for every service)'),
  });
  return z.strictObject({ keys: z.array(key).min(1, "must list at least one key") });
}
let schema: ReturnType<typeof buildSchema> | undefined;

function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "") || "(top level)";
}

function fail(file: string, where: string, why: string): never {
  throw new ConfigError(`Invalid API keys file ${file}: ${where}: ${why}`);
}

export function tokenDigest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

/** Validates a keys file's text. Messages name the file, the entry and the field, never a value. */
export function parseApiKeys(text: string, file: string): ApiKey[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    fail(file, "(file)", "is not valid JSON");
  }
  const parsed = (schema ??= buildSchema()).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const why = issue.code === "unrecognized_keys" ? `unknown field(s) ${issue.keys.map((k) => `'${k}'`).join(", ")}` : issue.message;
    fail(file, issuePath(issue.path), why);
  }
  const names = new Set<string>();
  const digests = new Set<string>();
  return parsed.data.keys.map((k, i) => {
    const hex = k.token_sha256.toLowerCase();
    if (names.has(k.name)) fail(file, `keys[${i}].name`, `duplicate name '${k.name}'`);
    if (digests.has(hex)) fail(file, `keys[${i}].token_sha256`, "the same token hash is listed twice");
    names.add(k.name);
    digests.add(hex);
    return { name: k.name, digest: Buffer.from(hex, "hex"), services: k.services };
  });
}

export function loadApiKeys(file: string): ApiKey[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    fail(file, "(file)", code === "ENOENT" ? "no such file" : `cannot be read (${code ?? (err as Error).message})`);
  }
  return parseApiKeys(text, file);
}

export interface ReloadResult {
  ok: boolean;
  keys: string[];
  error?: string;
}

export interface ApiKeyStoreOptions {
  /** The keys file; without it only --auth-token (if any) is accepted. */
  file?: string;
  /** --auth-token: an all-access key named `auth-token`. */
  authToken?: string;
  logger: Logger;
  /** Quiet period after a change event before the file is re-read (default 100 ms). */
  debounceMs?: number;
  /** Called after every reload attempt. */
  onReload?: (result: ReloadResult) => void;
}

interface Entry {
  caller: Caller;
  digest: Buffer;
}

function fileSignature(file: string): string {
  try {
    const st = statSync(file);
    return `${st.mtimeMs}:${st.size}:${st.ino}`;
  } catch {
    return "missing";
  }
}

export class ApiKeyStore {
  private entries: Entry[] = [];
  private signature = "";
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly tokenEntry: Entry | undefined;

  private constructor(private readonly options: ApiKeyStoreOptions) {
    if (options.authToken) {
      this.tokenEntry = { caller: { key: AUTH_TOKEN_KEY_NAME, scope: ALL_SERVICES }, digest: tokenDigest(options.authToken) };
    }
  }

  /** Loads the keys (a bad file throws ConfigError) and starts watching the file. */
  static open(options: ApiKeyStoreOptions): ApiKeyStore {
    const store = new ApiKeyStore(options);
    if (options.file) {
      store.signature = fileSignature(options.file);
      store.entries = ApiKeyStore.toEntries(loadApiKeys(options.file));
      store.watch(options.file);
    }
    return store;
  }

  private static toEntries(keys: readonly ApiKey[]): Entry[] {
    return keys.map((k) => ({ caller: { key: k.name, scope: serviceScope(k.services) }, digest: k.digest }));
  }

  /** Whether any credential is configured (otherwise the transport is open). */
  get enabled(): boolean {
    return !!this.tokenEntry || !!this.options.file;
  }

  /** Names of the keys in force, --auth-token's included. */
  keyNames(): string[] {
    return [...(this.tokenEntry ? [this.tokenEntry.caller.key] : []), ...this.entries.map((e) => e.caller.key)];
  }

  /** The caller a bearer token belongs to, or undefined. */
  authenticate(token: string | undefined): Caller | undefined {
    if (!token) return undefined;
    if (this.options.file) this.refresh();
    const digest = tokenDigest(token);
    let found: Caller | undefined;
    const all = this.tokenEntry ? [this.tokenEntry, ...this.entries] : this.entries;
    for (const entry of all) {
      // No early exit: every key is compared whatever matched before.
      const same = timingSafeEqual(digest, entry.digest);
      found = same && !found ? entry.caller : found;
    }
    return found;
  }

  /** Re-reads the file if its mtime, size or inode changed. */
  refresh(): void {
    const file = this.options.file;
    if (!file) return;
    const signature = fileSignature(file);
    if (signature !== this.signature) this.reload(signature);
  }

  private reload(signature: string): void {
    const file = this.options.file!;
    this.signature = signature;
    let result: ReloadResult;
    try {
      this.entries = ApiKeyStore.toEntries(loadApiKeys(file));
      result = { ok: true, keys: this.keyNames() };
      this.options.logger.info({ file, keys: result.keys.length }, "API keys file reloaded");
    } catch (err) {
      const error = err instanceof ConfigError ? err.message : String(err);
      result = { ok: false, keys: this.keyNames(), error };
      this.options.logger.error({ file }, `${error}; keeping the previous ${this.entries.length} key(s)`);
    }
    this.options.onReload?.(result);
  }

  private watch(file: string): void {
    const name = basename(file);
    try {
      // The directory, not the file: editors and config tools replace files by renaming over them.
      this.watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
        if (changed && changed.toString() !== name) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.refresh(), this.options.debounceMs ?? 100);
        this.timer.unref();
      });
      this.watcher.on("error", (err) => {
        this.options.logger.warn({ file, err: err.message }, "watching the API keys file failed; changes are picked up on the next request");
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch (err) {
      this.options.logger.warn({ file, err: (err as Error).message }, "cannot watch the API keys file; changes are picked up on the next request");
    }
  }

  close(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
  }
}
