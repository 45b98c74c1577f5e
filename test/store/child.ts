/** Spawns child-store.ts (a store in another process) and talks to it over loopback HTTP. */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Span, Trace } from "../../src/domain/trace.js";
import type { StoreOptions } from "../../src/store/index.js";

const SCRIPT = fileURLToPath(new URL("./child-store.ts", import.meta.url));

export interface StoreChild {
  proc: ChildProcess;
  port: number;
  role(): Promise<string>;
  append(spans: readonly Span[]): Promise<number>;
  trace(id: string): Promise<Trace | undefined>;
  close(): Promise<void>;
  kill(): Promise<void>;
  exited: Promise<number | null>;
}

export async function spawnStoreChild(dataDir: string, options: Partial<StoreOptions> = {}): Promise<StoreChild> {
  const proc = spawn(process.execPath, ["--import", "tsx", SCRIPT, dataDir, JSON.stringify(options)], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    lines.once("line", resolve);
    proc.once("exit", (code) => reject(new Error(`store child exited (${code}) before it listened`)));
  });
  const { port } = JSON.parse(first) as { port: number };
  const url = (path: string): string => `http://127.0.0.1:${port}${path}`;
  return {
    proc,
    port,
    exited,
    async role() {
      return ((await (await fetch(url("/role"))).json()) as { role: string }).role;
    },
    async append(spans) {
      const res = await fetch(url("/append"), { method: "POST", body: JSON.stringify(spans) });
      if (res.status !== 200) throw new Error(`append answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { appended: number }).appended;
    },
    async trace(id) {
      const res = await fetch(url(`/trace/${id}`));
      return res.status === 200 ? ((await res.json()) as Trace) : undefined;
    },
    async close() {
      await fetch(url("/close"), { method: "POST" }).catch(() => undefined);
      await exited;
    },
    async kill() {
      proc.kill("SIGKILL");
      await exited;
    },
  };
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 8000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
