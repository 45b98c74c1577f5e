import { defineConfig } from "vitest/config";

/**
 * ClickHouse suite: a real ClickHouse engine (chDB, installed and cached by
 * scripts/install-chdb.sh) behind the loopback HTTP shim, driven by @clickhouse/client.
 */
export default defineConfig({
  test: {
    include: ["test/clickhouse/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    // Each file runs its own engine (one per process); two at a time keeps memory modest.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ["test/clickhouse/chdb-setup.ts"],
  },
});
