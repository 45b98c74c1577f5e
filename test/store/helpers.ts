/** Temp directories and store handles for the store tests; everything opened here is closed by `cleanup`. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type LocalStore, type StoreOptions } from "../../src/store/index.js";
import { silentLogger } from "../../src/logger.js";

export const YEAR_MS = 365 * 24 * 3_600_000;

export function tempDir(prefix = "otel-store-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export class StoreHarness {
  private readonly stores: LocalStore[] = [];
  private readonly dirs: string[] = [];

  dir(): string {
    const d = tempDir();
    this.dirs.push(d);
    return d;
  }

  async open(dataDir: string, over: Partial<StoreOptions> = {}): Promise<LocalStore> {
    const store = await openStore({ dataDir, retentionMs: 100 * YEAR_MS, maxBytes: 1e12, logger: silentLogger(), ...over });
    this.stores.push(store);
    return store;
  }

  async cleanup(): Promise<void> {
    for (const s of this.stores.splice(0)) await s.close();
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}
