/**
 * Mutation testing of the core modules: `npm run test:mutation` (scripts/mutation.sh runs it on
 * Node 22, which Stryker 10 requires). Each mutant runs only the tests that cover it
 * (coverageAnalysis perTest), drawn from the fast set in vitest.mutation.config.ts.
 *
 * `mutate` names the core modules: the domain model, the GenAI parser and pricing, the query
 * layer, the OTLP decoder, the secret redactor, and (once they land) redaction and the local
 * store's SQL. A glob of a folder that does not exist matches nothing, so listing them early is
 * harmless. The generated protobuf descriptor table is data, not logic: left out.
 */
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: "npm",
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "vitest.mutation.config.ts" },
  coverageAnalysis: "perTest",
  // Stryker rewrites the tsconfig's out-of-project paths through TypeScript's JS API, which
  // TypeScript 7 (the native compiler) no longer has. Ours has none (no extends/references outside
  // the project), so point it at no file and skip the rewrite.
  tsconfigFile: "tsconfig.none.json",
  mutate: [
    "src/domain/**/*.ts",
    "src/genai/**/*.ts",
    "src/query/**/*.ts",
    "src/otlp/**/*.ts",
    "!src/otlp/proto/otlp-trace-descriptor.ts",
    "src/backends/secret-redactor.ts",
    "src/redact/**/*.ts",
    "src/store/sql/**/*.ts",
  ],
  // Copied into each sandbox otherwise (the Node binaries alone are ~100 MB).
  ignorePatterns: [".cache", "dist", "coverage", "reports", "bench/results.json", "*.tgz"],
  // Static mutants (module-level tables and constants: price rules, semconv name lists, regexes)
  // cannot be covered per test, so each re-runs the whole set: a third of the mutants, 87% of the
  // time (an estimated 2 h instead of ~20 min on 2 cores). They are left out of the score.
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 10_000,
  // break: the run fails below this score. Set to the measured score (80.02% on 2025-12-01 after
  // issue 16; 71.75% before); raise it as survivors are killed, towards 85.
  thresholds: { high: 85, low: 70, break: 80 },
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
