import { defineConfig } from "vitest/config";

/** End-to-end suite: real Jaeger (scripts/install-jaeger.sh), real OTel SDK, built CLI over stdio. */
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.test.ts"],
    environment: "node",
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ["test/e2e/jaeger-setup.ts"],
  },
});
