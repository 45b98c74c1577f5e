/**
 * The tests Stryker runs against each mutant (npm run test:mutation, stryker.config.json): the fast
 * unit and in-process tests of the mutated modules. No globalSetup: nothing here needs dist/, and
 * the CLI/stdio/HTTP suites, which spawn the bundle, cannot see a mutant in src/ anyway. The
 * backend conformance suites are left out for time (each runs a fault matrix with timeouts);
 * their in-process counterparts (mappers, query translation, the query path over MemoryBackend,
 * the MCP-level tool tests) are in.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "test/domain/**/*.test.ts",
      "test/genai/**/*.test.ts",
      "test/query/**/*.test.ts",
      "test/otlp/**/*.test.ts",
      "test/redact/**/*.test.ts",
      "test/access/**/*.test.ts",
      "test/store/**/*.test.ts",
      "test/analytics/**/*.test.ts",
      "test/ingest/otlp-receiver.test.ts",
      "test/backends/{http-client,jaeger-mapper,tempo-mapper,traceloop-mapper,traceql,traceloop-query,translation-table,trace-id,foreign-json,secret-redactor}.test.ts",
      "test/tools/{query-path,tool-contract,llm-tools,time-defaults,input-hardening,params}.test.ts",
    ],
    environment: "node",
    pool: "forks",
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
