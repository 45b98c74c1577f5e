import { defineConfig } from "vitest/config";

/**
 * End-to-end suite: real Jaeger (scripts/install-jaeger.sh) and the local store, both fed by the
 * real OTel SDK, the built CLI over stdio. The same tests run once per backend (two projects).
 */
const project = (backend: "jaeger" | "local") => ({
  extends: true as const,
  test: { name: backend, provide: { e2eBackend: backend } },
});

export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.test.ts"],
    environment: "node",
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ["test/e2e/jaeger-setup.ts"],
    projects: [project("jaeger"), project("local")],
  },
});
