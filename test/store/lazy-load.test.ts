/** Remote backends never pay for DuckDB: importing the store loads no native code; opening one does. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { StoreHarness } from "./helpers.js";

const harness = new StoreHarness();
afterAll(() => harness.cleanup());

const STORE = fileURLToPath(new URL("../../src/store/index.ts", import.meta.url));

describe("DuckDB is loaded lazily", () => {
  it("only when a store opens", () => {
    const dir = harness.dir();
    const script = `
      const loaded = () => process.report.getReport().sharedObjects.some((o) => /duckdb/i.test(o));
      const store = await import(${JSON.stringify(STORE)});
      const before = loaded();
      const s = await store.openStore({ dataDir: ${JSON.stringify(dir)}, retentionMs: 1e9, maxBytes: 1e9, logger: (await import("pino")).pino({ level: "silent" }) });
      const after = loaded();
      await s.close();
      process.stdout.write(JSON.stringify({ before, after }));`;
    const out = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
    expect(out.status, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ before: false, after: true });
  });
});
