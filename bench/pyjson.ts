/**
 * Python's `json.dumps(value, indent=2)` (ensure_ascii on), the original server's output format,
 * so the bench can compare our compact text with what the original would have sent for the same
 * keys and values. With `indent` set, Python 3 separates items with "," plus a newline (no
 * trailing space) and keys with ": ".
 *
 * Numbers are written as JavaScript writes them: Python would print a float-typed whole number as
 * `12.0`, which only makes the original longer; using our form keeps the comparison conservative.
 */
const pad = (level: number): string => " ".repeat(level * 2);

function pyString(s: string): string {
  return JSON.stringify(s).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function dump(value: unknown, level: number): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return Number.isFinite(value) ? JSON.stringify(value) : value > 0 ? "Infinity" : value < 0 ? "-Infinity" : "NaN";
  if (typeof value === "string") return pyString(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => pad(level + 1) + dump(v, level + 1)).join(",\n")}\n${pad(level)}]`;
  }
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return "{}";
    return `{\n${entries.map(([k, v]) => `${pad(level + 1)}${pyString(k)}: ${dump(v, level + 1)}`).join(",\n")}\n${pad(level)}}`;
  }
  throw new TypeError(`pyjson: cannot serialise a ${typeof value}`);
}

export function pythonIndent2(value: unknown): string {
  return dump(value, 0);
}
