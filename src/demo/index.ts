/**
 * `opentelemetry-mcp demo-data`: plan a seeded dataset, give it this run's ids, and send it to an
 * OTLP/HTTP endpoint.
 */
import type { Logger } from "../logger.js";
import { emitDemoPlan, type EmitResult } from "./emit.js";
import { buildDemoPlan } from "./plan.js";
import { checkRunId, newRunId, withRunIds } from "./run-ids.js";

export { buildDemoPlan, DEMO_MODELS, DEMO_SERVICES, DEMO_SPREAD_MS } from "./plan.js";
export { emitDemoPlan, DEMO_SCOPE } from "./emit.js";
export type * from "./types.js";

export const DEMO_DEFAULTS = {
  otlpEndpoint: "http://127.0.0.1:4318",
  seed: 42,
  traces: 60,
} as const;

export interface DemoDataOptions {
  otlpEndpoint?: string;
  seed?: number;
  traces?: number;
  /** Re-keys the plan's trace and span ids; a new random one when absent, so two runs never share ids. */
  runId?: string;
  logger: Logger;
  /** Clock; injectable for tests. */
  now?: () => number;
}

export interface DemoDataResult extends EmitResult {
  /** Pass it as runId (--run-id) to send the same ids again. */
  runId: string;
}

export async function runDemoData(options: DemoDataOptions): Promise<DemoDataResult> {
  const seed = options.seed ?? DEMO_DEFAULTS.seed;
  const traces = options.traces ?? DEMO_DEFAULTS.traces;
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${seed}`);
  if (!Number.isInteger(traces) || traces < 1 || traces > 100_000) throw new Error(`--traces must be an integer from 1 to 100000, got ${traces}`);
  const runId = options.runId !== undefined ? checkRunId(options.runId) : newRunId();
  const plan = withRunIds(buildDemoPlan({ seed, traces, nowMs: (options.now ?? Date.now)() }), runId);
  const sent = await emitDemoPlan(plan, { otlpEndpoint: options.otlpEndpoint ?? DEMO_DEFAULTS.otlpEndpoint, logger: options.logger });
  return { ...sent, runId };
}
