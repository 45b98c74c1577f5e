/**
 * Optional columnar rendering of tool text (COMPRESS_RESPONSES / --compress-responses), the
 * encoding of the original's response-compression proposal: a list of two or more objects that
 * all have the same keys in the same order becomes {"columns": [...], "rows": [[...], ...]} when
 * that saves at least `threshold` of its size. Lists are not recursed into (nested lists of
 * objects inside rows stay as they are), so the encoding is predictable for the model.
 */
type Json = unknown;

const size = (v: Json): number => JSON.stringify(v).length;

function uniformKeys(list: unknown[]): string[] | undefined {
  if (list.length < 2) return undefined;
  let keys: string[] | undefined;
  for (const item of list) {
    if (!item || typeof item !== "object" || Array.isArray(item)) return undefined;
    const k = Object.keys(item);
    if (!keys) keys = k;
    else if (k.length !== keys.length || k.some((x, i) => x !== keys![i])) return undefined;
  }
  return keys;
}

export function toColumnar(value: Json, threshold = 0.05): Json {
  if (Array.isArray(value)) {
    const keys = uniformKeys(value);
    if (!keys) return value;
    const candidate = { columns: keys, rows: value.map((o) => keys.map((k) => (o as Record<string, unknown>)[k])) };
    const saving = (size(value) - size(candidate)) / size(value);
    return saving >= threshold ? candidate : value;
  }
  if (value && typeof value === "object") {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toColumnar(v, threshold);
    return out;
  }
  return value;
}
