import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**", "test/clickhouse/**", "node_modules/**"],
    environment: "node",
    pool: "forks",
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Builds dist/ once so the CLI/stdio tests exercise the real binary.
    globalSetup: ["test/global-setup.ts"],
  },
});
