/**
 * Fresh trace and span ids for each demo-data run. The plan is deterministic per seed, ids
 * included; sending the same plan twice would hand the backend every span a second time under the
 * same ids, and Jaeger merges them into traces with doubled spans, durations and token totals.
 * So each run re-keys the plan's ids with a run id: the same seed gives the same shapes, times and
 * attributes, while the ids are new unless the same run id is given again.
 */
import { createHash, randomBytes } from "node:crypto";
import type { DemoPlan } from "./types.js";

const RUN_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** A new random run id (12 hex characters). */
export function newRunId(): string {
  return randomBytes(6).toString("hex");
}

/** Throws unless `runId` is 1-64 letters, digits, '.', '_' or '-'. */
export function checkRunId(runId: string): string {
  if (!RUN_ID.test(runId)) throw new Error(`Invalid value '${runId}' for --run-id: use 1-64 letters, digits, '.', '_' or '-'`);
  return runId;
}

/** The planned id (hex, 16 or 32 characters) as seen in run `runId`: a keyed hash, same length, never all zeros. */
function rekey(runId: string, id: string): string {
  const out = createHash("sha256").update(`opentelemetry-mcp demo ${runId}\0${id}`).digest("hex").slice(0, id.length);
  // An all-zero id is invalid in OpenTelemetry.
  return /^0+$/.test(out) ? `${out.slice(0, -1)}1` : out;
}

/** The plan with every trace id, span id and parent reference re-keyed for `runId`; everything else unchanged. */
export function withRunIds(plan: DemoPlan, runId: string): DemoPlan {
  return {
    ...plan,
    traces: plan.traces.map((t) => ({
      ...t,
      traceId: rekey(runId, t.traceId),
      spans: t.spans.map((s) => ({ ...s, spanId: rekey(runId, s.spanId), parentSpanId: s.parentSpanId === null ? null : rekey(runId, s.parentSpanId) })),
    })),
  };
}
