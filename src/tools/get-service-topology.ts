import { z } from "zod";
import { round2 } from "../analytics/stats.js";
import { topologyOf } from "../analytics/topology.js";
import { topologySource } from "../query/topology.js";
import { defineTool } from "./define-tool.js";
import * as p from "./params.js";
import { coverageSchema, notesSchema, windowSchema, withCoverage } from "./summaries.js";

const metric = z.number().nullable().optional();

export const getServiceTopology = defineTool({
  name: "get_service_topology",
  title: "Service dependency graph",
  description:
    "Which services call which: nodes (services, databases, LLM providers) with span counts, error rate, p95, and " +
    "caller -> callee edges with calls, errors, p50/p95. service_name keeps the edges touching it.",
  input: z.strictObject({
    start_time: p.startTime,
    end_time: p.endTime,
    service_name: p.serviceName,
    include_metrics: z.boolean().default(true).describe("Add error rates and latencies (default true)."),
    min_call_count: z.number().int().min(1).default(1).describe("Leave out edges with fewer calls (default 1)."),
  }),
  output: z.object({
    services: z.array(
      z.object({ name: z.string(), kind: z.enum(["service", "database", "llm"]), span_count: z.number().int(), error_rate: metric, p95_duration_ms: metric }),
    ),
    edges: z.array(
      z.object({
        caller: z.string(),
        callee: z.string(),
        call_count: z.number().int(),
        error_count: z.number().int().optional(),
        error_rate: metric,
        p50_duration_ms: metric,
        p95_duration_ms: metric,
      }),
    ),
    window: windowSchema,
    coverage: coverageSchema,
    notes: notesSchema,
  }),
  errorPrefix: "Failed to build the service topology",
  async run(args, ctx) {
    const window = p.parseWindow(args, ctx.now());
    // Pushed down (every trace of the window, SQL) where the backend computes it, else folded here over fetched traces.
    const found = await topologySource(ctx, { ...window, minCallCount: args.min_call_count });
    const topo = found.kind === "pushed" ? found.answer : topologyOf(found.items);
    const touches = (e: { caller: string; callee: string }) => !args.service_name || e.caller === args.service_name || e.callee === args.service_name;
    const edges = topo.edges
      .filter((e) => e.call_count >= args.min_call_count && touches(e))
      .sort((a, b) => b.call_count - a.call_count || (a.caller + a.callee < b.caller + b.callee ? -1 : 1))
      .map((e) =>
        args.include_metrics
          ? { ...e, error_rate: round2(e.error_rate) }
          : { caller: e.caller, callee: e.callee, call_count: e.call_count },
      );
    const named = new Set(edges.flatMap((e) => [e.caller, e.callee]));
    if (args.service_name) named.add(args.service_name);
    const services = topo.services
      .filter((s) => !args.service_name || named.has(s.name))
      .sort((a, b) => (a.kind === b.kind ? b.span_count - a.span_count || (a.name < b.name ? -1 : 1) : a.kind < b.kind ? 1 : -1))
      .map((s) => (args.include_metrics ? { ...s, error_rate: round2(s.error_rate) } : { name: s.name, kind: s.kind, span_count: s.span_count }));
    return withCoverage({ services, edges }, { ...found, coverage: { ...found.coverage, spans: topo.spans } });
  },
});
