import { z } from "zod";
import { aggregate } from "../analytics/aggregate.js";
import { errorClassOf, ERROR_CLASSES, fingerprintOf, messageTemplate } from "../analytics/error-fingerprint.js";
import { ERROR_EVENTS, errorAttributeKeys, errorInfo } from "../analytics/error-info.js";
import { spanFieldValue } from "../analytics/fields.js";
import { llmUsageOf } from "../analytics/llm-usage.js";
import { attributeNameSchema, eq } from "../domain/filter.js";
import { formatTimeUs } from "../domain/time.js";
import type { Span } from "../domain/trace.js";
import { isToolSpan } from "../genai/tool-span.js";
import { findProjectedSpans } from "../query/projected-spans.js";
import { fitList, truncatedSchema } from "./budget.js";
import { defineTool } from "./define-tool.js";
import * as p from "./params.js";
import { coverageSchema, notesSchema, windowSchema, withCoverage } from "./summaries.js";

const STACK_CHARS = 2000;
const EXEMPLARS = 3;

/** One error span, read once. */
interface ErrorRow {
  span: Span;
  service: string;
  operation: string;
  type: string;
  template: string;
  message: string;
  errorClass: string;
  stack?: string;
  fingerprint: string;
  provider?: string;
  model?: string;
}

function errorRow(span: Span): ErrorRow {
  const info = errorInfo(span);
  const template = messageTemplate(info.message);
  const type = info.type ?? (info.httpStatus !== undefined ? `HTTP ${info.httpStatus}` : "error");
  const llm = llmUsageOf(span);
  return {
    span,
    service: span.serviceName,
    operation: span.operationName,
    type,
    template,
    message: info.message,
    errorClass: errorClassOf(info, isToolSpan(span)),
    ...(info.stack ? { stack: info.stack } : {}),
    fingerprint: fingerprintOf([span.serviceName, span.operationName, type, template]),
    ...(llm ? { provider: llm.provider, ...(llm.model ? { model: llm.model } : {}) } : {}),
  };
}

/** The value a custom group_by field takes for an error row. */
function groupValue(row: ErrorRow, field: string): string {
  switch (field) {
    case "fingerprint":
      return row.fingerprint;
    case "error_type":
      return row.type;
    case "error_class":
      return row.errorClass;
    case "message_template":
      return row.template;
    default: {
      const v = spanFieldValue(row.span, field);
      return v === null ? "" : String(v);
    }
  }
}

/** The most common value (first seen wins a tie). */
function mode(values: ReadonlyArray<string | undefined>): string | undefined {
  const counts = new Map<string, number>();
  let best: string | undefined;
  for (const v of values) {
    if (v === undefined) continue;
    const n = (counts.get(v) ?? 0) + 1;
    counts.set(v, n);
    if (best === undefined || n > counts.get(best)!) best = v;
  }
  return best;
}

const groupSchema = z.object({
  fingerprint: z.string(),
  key: z.record(z.string(), z.string()).optional().describe("The group_by values, when group_by is not the default."),
  service_name: z.string(),
  operation_name: z.string(),
  error_type: z.string(),
  message_template: z.string(),
  example_message: z.string(),
  error_class: z.enum(ERROR_CLASSES),
  count: z.number().int(),
  trace_count: z.number().int(),
  first_seen: z.string(),
  last_seen: z.string(),
  exemplar_trace_ids: z.array(z.string()),
  llm_provider: z.string().optional(),
  llm_model: z.string().optional(),
  stack_trace: z.string().optional(),
});

export const analyzeErrors = defineTool({
  name: "analyze_errors",
  title: "Group errors",
  description:
    "Error spans grouped by fingerprint (service, operation, type, message with ids and numbers templated out), most " +
    "frequent first: counts, traces, first/last seen, exemplar trace ids, error_class, LLM provider and model.",
  input: z.strictObject({
    start_time: p.startTime,
    end_time: p.endTime,
    service_name: p.serviceName,
    filters: p.filters,
    group_by: z
      .array(attributeNameSchema.min(1).max(256))
      .min(1)
      .max(3)
      .optional()
      .describe("Group by these instead of the fingerprint: error_type, error_class, message_template, service.name, operation_name, model or an attribute."),
    min_occurrences: z.number().int().min(1).default(1).describe("Leave out groups with fewer error spans (default 1)."),
    include_stack_trace: z.boolean().default(false).describe("Add one representative stack trace per group."),
    limit: z.number().int().min(1).max(1000).default(20).describe("Most groups to return (1-1000, default 20)."),
  }),
  output: z.object({
    groups: z.array(groupSchema),
    total_error_spans: z.number().int(),
    group_count: z.number().int(),
    truncated: truncatedSchema,
    window: windowSchema,
    coverage: coverageSchema,
    notes: notesSchema,
  }),
  errorPrefix: "Failed to analyze errors",
  fit: (result, max) => fitList(result, "groups", max, "Ask for fewer groups (limit), raise min_occurrences, or narrow the window."),
  async run(args, ctx) {
    const window = p.parseWindow(args, ctx.now());
    const filters = [...(args.service_name ? [eq("service.name", args.service_name)] : []), ...p.parseFilters(args.filters), eq("status", "ERROR")];
    const groupBy = args.group_by ?? ["fingerprint"];
    const found = await findProjectedSpans(ctx, { ...window, filters, attributes: errorAttributeKeys(groupBy), events: ERROR_EVENTS });
    const rows = found.items.map(errorRow);
    const custom = args.group_by !== undefined;
    const groups = aggregate(rows, (r) => JSON.stringify(groupBy.map((f) => groupValue(r, f))), {
      count: { kind: "count" },
      traces: { kind: "distinct", of: (r) => r.span.traceId },
      first: { kind: "min", of: (r) => r.span.startTimeUs },
      last: { kind: "max", of: (r) => r.span.startTimeUs },
    });
    const membersOf = new Map<string, ErrorRow[]>();
    for (const r of rows) {
      const k = JSON.stringify(groupBy.map((f) => groupValue(r, f)));
      const list = membersOf.get(k);
      if (list) list.push(r);
      else membersOf.set(k, [r]);
    }
    const kept = groups
      .filter((g) => g.count >= args.min_occurrences)
      .sort((a, b) => b.count - a.count || (b.last ?? 0) - (a.last ?? 0) || (a.key < b.key ? -1 : 1));
    const out = kept.slice(0, args.limit).map((g) => {
      const members = membersOf.get(g.key)!;
      const newest = [...members].sort((a, b) => b.span.startTimeUs - a.span.startTimeUs);
      const exemplars = [...new Set(newest.map((m) => m.span.traceId))].slice(0, EXEMPLARS);
      const withStack = args.include_stack_trace ? newest.find((m) => m.stack) : undefined;
      const provider = mode(members.map((m) => m.provider));
      const model = mode(members.map((m) => m.model));
      const template = mode(members.map((m) => m.template))!;
      const values = JSON.parse(g.key) as string[];
      return {
        fingerprint: custom ? fingerprintOf(values) : values[0]!,
        ...(custom ? { key: Object.fromEntries(groupBy.map((f, i) => [f, values[i]!])) } : {}),
        service_name: mode(members.map((m) => m.service))!,
        operation_name: mode(members.map((m) => m.operation))!,
        error_type: mode(members.map((m) => m.type))!,
        message_template: template,
        example_message: newest.find((m) => m.template === template)!.message,
        error_class: mode(members.map((m) => m.errorClass)) as (typeof ERROR_CLASSES)[number],
        count: g.count,
        trace_count: g.traces.length,
        first_seen: formatTimeUs(g.first ?? 0),
        last_seen: formatTimeUs(g.last ?? 0),
        exemplar_trace_ids: exemplars,
        ...(provider ? { llm_provider: provider } : {}),
        ...(model ? { llm_model: model } : {}),
        ...(withStack?.stack ? { stack_trace: withStack.stack.length > STACK_CHARS ? `${withStack.stack.slice(0, STACK_CHARS)}...` : withStack.stack } : {}),
      };
    });
    const notes = [...found.notes];
    if (kept.length > args.limit) notes.push(`${kept.length} groups; the ${args.limit} largest are shown (raise limit for more).`);
    if (groups.length > kept.length) notes.push(`${groups.length - kept.length} group(s) with fewer than ${args.min_occurrences} error span(s) left out.`);
    const body = { groups: out, total_error_spans: rows.length, group_count: kept.length };
    return withCoverage(body, { ...found, notes, coverage: { ...found.coverage, spans: rows.length } });
  },
});
