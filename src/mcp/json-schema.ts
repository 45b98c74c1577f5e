/**
 * zod → the JSON Schema a tool listing carries. Input schemas are made portable across
 * function-calling dialects; output schemas lose their descriptions (they validate, the model
 * never reads them).
 */
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

/** Output schemas are for validation, not for the model: their descriptions would only cost context. */
export function stripDescriptions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripDescriptions);
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (k !== "description") out[k] = stripDescriptions(v);
  return out;
}

/**
 * Input schemas go to function-calling dialects that allow one `type` per schema (e.g. Gemini's
 * OpenAPI subset): spell `type: [a, b]` as `anyOf`, and leave `null` out (validation still accepts it).
 */
export function portableTypes(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(portableTypes);
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = portableTypes(v);
  if (Array.isArray(out.type)) {
    const types = (out.type as string[]).filter((t) => t !== "null");
    delete out.type;
    if (types.length === 1) out.type = types[0];
    else out.anyOf = types.map((type) => ({ type }));
  }
  return out;
}

export function jsonSchema(schema: z.ZodType, io: "input" | "output"): Tool["inputSchema"] {
  const out = z.toJSONSchema(schema, { target: "draft-7", io }) as Record<string, unknown>;
  delete out.$schema;
  return (io === "output" ? stripDescriptions(out) : portableTypes(out)) as Tool["inputSchema"];
}
