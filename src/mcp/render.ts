/**
 * A tool's data → MCP content: floats rounded, redacted, fit to the response budget, optionally
 * columnar text, compact JSON text beside the same object as structuredContent. Shared by tool
 * calls and resource reads (resources.ts), so both answer in the same shape.
 *
 * Redaction runs first, on the full answer, then the fit: a cut can then never split a secret into
 * a fragment no rule recognises (half a card number fails Luhn), and the budget is measured on the
 * text that is actually sent. The count in the note is over the full answer, before any cut. The
 * fit leaves room for the note, which goes into `notes` when the tool's output has one, and
 * otherwise comes back as `extraNote` (call-tool.ts sends it as a second text block).
 */
import type { Config } from "../config.js";
import { redactionNote, type Redactor } from "../redact/redactor.js";
import { toColumnar } from "../tools/columnar.js";
import type { ToolDefinition } from "../tools/define-tool.js";
import { tidyNumbers } from "./tidy-numbers.js";

export interface Rendered {
  text: string;
  structured: Record<string, unknown>;
  /** Values the redactor replaced. */
  redacted: number;
  /** The redaction note for a tool whose output schema has no `notes`. */
  extraNote?: string;
}

function acceptsNotes(def: Partial<Pick<ToolDefinition, "output">>): boolean {
  return !!def.output && "notes" in def.output.shape;
}

export function renderResult(
  def: Pick<ToolDefinition, "fit"> & Partial<Pick<ToolDefinition, "output">>,
  full: Record<string, unknown>,
  config: Pick<Config, "maxResponseChars" | "compressResponses">,
  redactor?: Redactor,
): Rendered {
  const tidy = tidyNumbers(full);
  const r = redactor ? redactor.redactJson(tidy) : { value: tidy, count: 0, byKind: {} };
  const note = redactionNote(r);
  // A few characters for the JSON around the note in `notes`.
  const reserve = note && acceptsNotes(def) ? note.length + 16 : 0;
  let structured = def.fit ? def.fit(r.value, config.maxResponseChars - reserve) : r.value;
  let extraNote: string | undefined;
  if (note && acceptsNotes(def)) {
    const notes = Array.isArray(structured.notes) ? (structured.notes as string[]) : [];
    structured = { ...structured, notes: [...notes, note] };
  } else if (note) {
    extraNote = note;
  }
  const text = JSON.stringify(config.compressResponses ? toColumnar(structured) : structured);
  return { text, structured, redacted: r.count, ...(extraNote ? { extraNote } : {}) };
}
