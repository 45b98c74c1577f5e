/**
 * Keeps every tool result within the response budget (--max-response-chars / MAX_RESPONSE_CHARS,
 * measured on the compact JSON text). Cuts are deterministic and always declared in `truncated`:
 * list results keep their first items (the tools' own order: most relevant first); get_trace first
 * shortens long attribute values (prompts, completions), then removes leaf spans from the end of
 * the trace, never an error span, an ancestor of one, or the root, so the tree stays connected.
 */
import { z } from "zod";

export const truncatedSchema = z
  .object({
    reason: z.string(),
    items_omitted: z.number().int().optional(),
    spans_omitted: z.number().int().optional(),
    values_shortened: z.number().int().optional(),
    attributes_omitted: z.number().int().optional().describe("Spans listed without their attributes."),
    hint: z.string(),
  })
  .optional()
  .describe("Present only when the answer was cut to fit the response budget: what was left out and how to get it.");

export type Truncated = NonNullable<z.infer<typeof truncatedSchema>>;

type Json = Record<string, unknown>;

const size = (v: unknown): number => JSON.stringify(v).length;

function budgetReason(maxChars: number): string {
  return `the full answer exceeds the response budget of ${maxChars} characters (MAX_RESPONSE_CHARS / --max-response-chars)`;
}

/** Keeps the longest prefix of body[key] that fits; declares what was left out. */
export function fitList(body: Json, key: string, maxChars: number, hint: string): Json {
  if (size(body) <= maxChars) return body;
  const items = body[key] as unknown[];
  const lengths = items.map(size);
  const draft = (n: number): Json => {
    const out: Json = { ...body, [key]: items.slice(0, n) };
    if ("count" in body) out.count = n;
    out.truncated = { reason: budgetReason(maxChars), items_omitted: items.length - n, hint } satisfies Truncated;
    return out;
  };
  const base = size(draft(0));
  let n = 0;
  let used = base;
  while (n < items.length && used + lengths[n]! + (n > 0 ? 1 : 0) <= maxChars) {
    used += lengths[n]! + (n > 0 ? 1 : 0);
    n++;
  }
  let out = draft(n);
  // The omitted count's digits can shift the size by a few characters: settle exactly.
  while (n > 0 && size(out) > maxChars) out = draft(--n);
  return out;
}

interface SpanOut {
  span_id: string;
  parent_span_id: string | null;
  status: string;
  attributes: Record<string, unknown>;
  llm_attributes?: Record<string, unknown>;
}

const VALUE_CAPS = [4000, 1000, 300, 100] as const;

function shortenValues(spans: SpanOut[], cap: number): { spans: SpanOut[]; shortened: number } {
  let shortened = 0;
  const out = spans.map((s) => {
    let changed = false;
    const attributes: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s.attributes)) {
      if (typeof v === "string" && v.length > cap) {
        attributes[k] = `${v.slice(0, cap)}... [${v.length - cap} more characters]`;
        shortened++;
        changed = true;
      } else {
        attributes[k] = v;
      }
    }
    return changed ? { ...s, attributes } : s;
  });
  return { spans: out, shortened };
}

/** get_trace: shorten long values, then drop leaf spans (last first) that are not errors or their ancestors. */
export function fitTrace(body: Json, maxChars: number): Json {
  if (size(body) <= maxChars) return body;
  const original = body.spans as SpanOut[];
  const hint =
    "Use search_spans with trace-specific filters (e.g. service_name, operation_name, or a filter on trace_id) " +
    "to read the omitted spans, or raise MAX_RESPONSE_CHARS.";
  let spans = original;
  let shortened = 0;
  const declare = (s: SpanOut[], omitted: number): Json => ({
    ...body,
    spans: s,
    truncated: {
      reason: budgetReason(maxChars),
      ...(omitted > 0 ? { spans_omitted: omitted } : {}),
      ...(shortened > 0 ? { values_shortened: shortened } : {}),
      hint: omitted > 0 ? hint : "Long attribute values (prompts, completions) were shortened; raise MAX_RESPONSE_CHARS for full values.",
    } satisfies Truncated,
  });
  for (const cap of VALUE_CAPS) {
    const r = shortenValues(original, cap);
    spans = r.spans;
    shortened = r.shortened;
    if (size(declare(spans, 0)) <= maxChars) return declare(spans, 0);
  }

  // Spans that must stay: the root(s), every error span and all their ancestors.
  const byId = new Map(spans.map((s) => [s.span_id, s]));
  const keep = new Set<string>();
  for (const s of spans) {
    if (s.parent_span_id === null || !byId.has(s.parent_span_id)) keep.add(s.span_id);
    if (s.status === "ERROR") {
      let cur: SpanOut | undefined = s;
      while (cur && !keep.has(cur.span_id)) {
        keep.add(cur.span_id);
        cur = cur.parent_span_id ? byId.get(cur.parent_span_id) : undefined;
      }
    }
  }
  const children = new Map<string, number>();
  for (const s of spans) if (s.parent_span_id) children.set(s.parent_span_id, (children.get(s.parent_span_id) ?? 0) + 1);
  const removed = new Set<string>();
  let total = size(declare(spans, 1));
  // Walk from the end repeatedly; a span becomes removable once all its children are gone.
  let progress = true;
  while (total > maxChars && progress) {
    progress = false;
    for (let i = spans.length - 1; i >= 0 && total > maxChars; i--) {
      const s = spans[i]!;
      if (removed.has(s.span_id) || keep.has(s.span_id) || (children.get(s.span_id) ?? 0) > 0) continue;
      removed.add(s.span_id);
      total -= size(s) + 1;
      if (s.parent_span_id) children.set(s.parent_span_id, (children.get(s.parent_span_id) ?? 1) - 1);
      progress = true;
    }
  }
  let kept = spans.filter((s) => !removed.has(s.span_id));
  let out = declare(kept, removed.size);
  if (size(out) <= maxChars) return out;
  // Last resort (e.g. thousands of error spans): list the remaining spans without attributes, last first.
  let stripped = 0;
  for (let i = kept.length - 1; i >= 0 && size(out) > maxChars; i--) {
    const { llm_attributes: _llm, ...rest } = kept[i]!;
    kept = kept.map((s, j) => (j === i ? { ...rest, attributes: {} } : s));
    stripped++;
    if (stripped % 50 === 0 || i === 0) out = { ...declare(kept, removed.size) };
  }
  out = declare(kept, removed.size);
  (out.truncated as Truncated).attributes_omitted = stripped;
  return out;
}
