/**
 * zod → the JSON Schema a tool listing carries. tools/list is paid for in every conversation
 * before a question is asked, so the schemas say what a client needs and nothing more:
 *
 * - Input schemas (the model reads them) keep every description and every real bound, made
 *   portable across function-calling dialects (one `type` per node, no null branches, no `$ref`).
 *   String length limits stay in the server's validation, which answers with what was wrong.
 * - Output schemas (clients validate structuredContent with them) declare every top-level key
 *   and its type (`topLevelTypes`) without descriptions, `required` or `additionalProperties:
 *   false` (answers are built from the same zod schemas, so there is nothing for those to catch);
 *   repeats that are worth it are shared through `$defs`; nullable types become `anyOf` branches
 *   (the MCP Inspector's --strict lint).
 * - Both lose what constrains nothing: the safe-integer bounds zod puts on every integer,
 *   `propertyNames: {type: string}` (every JSON key is a string) and the empty schema of an
 *   unconstrained record value.
 *
 * No `$schema` is emitted: MCP takes a schema without one as JSON Schema 2020-12, which is the
 * dialect generated here.
 */
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

type Json = unknown;
type Node = Record<string, Json>;

function isNode(v: Json): v is Node {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Rebuilds a schema bottom-up, applying `fix` to every object node (children first). */
function walk(node: Json, fix: (n: Node) => Node): Json {
  if (Array.isArray(node)) return node.map((v) => walk(v, fix));
  if (!isNode(node)) return node;
  const out: Node = {};
  for (const [k, v] of Object.entries(node)) out[k] = walk(v, fix);
  return fix(out);
}

/** Output schemas are for validation, not for the model: their descriptions would only cost context. */
export function stripDescriptions(node: Json): Json {
  return walk(node, (n) => {
    // A property named "description" is data, not an annotation: only string annotations go.
    if (typeof n.description === "string") delete n.description;
    return n;
  });
}

/**
 * Input schemas go to function-calling dialects that allow one `type` per schema (e.g. Gemini's
 * OpenAPI subset): spell `type: [a, b]` as `anyOf`, and leave `null` out, also as an `anyOf`
 * branch (validation still accepts it: a null argument means "not given").
 */
export function portableTypes(node: Json): Json {
  return walk(splitTypeArrays(node, { keepNull: false }), (n) => {
    if (!Array.isArray(n.anyOf)) return n;
    const branches = (n.anyOf as Json[]).filter((b) => !(isNode(b) && b.type === "null" && Object.keys(b).length === 1));
    if (branches.length === n.anyOf.length) return n;
    delete n.anyOf;
    if (branches.length === 1 && isNode(branches[0])) return { ...n, ...branches[0] };
    return { ...n, anyOf: branches };
  });
}

/**
 * String length limits stay in the server's validation (which answers with what was wrong) but
 * not in the listing: no model needs to be told that a service name is at most 512 characters.
 */
export function dropLengthLimits(node: Json): Json {
  return walk(node, (n) => {
    if (n.type === "string") {
      delete n.minLength;
      delete n.maxLength;
    }
    return n;
  });
}

/**
 * `type: [a, b]` as `anyOf: [{type: a}, {type: b}]`; `keepNull: false` drops the null branch
 * (input schemas), `true` keeps it (output schemas, which must accept the nulls answers carry).
 */
export function splitTypeArrays(node: Json, options: { keepNull: boolean }): Json {
  return walk(node, (n) => {
    if (!Array.isArray(n.type)) return n;
    const types = (n.type as string[]).filter((t) => options.keepNull || t !== "null");
    delete n.type;
    if (types.length === 1) n.type = types[0];
    else n.anyOf = types.map((type) => ({ type }));
    return n;
  });
}

/** Drops keywords that constrain nothing: safe-integer bounds, string property names, empty value schemas. */
export function dropVacuous(node: Json): Json {
  return walk(node, (n) => {
    if (n.minimum === Number.MIN_SAFE_INTEGER) delete n.minimum;
    if (n.maximum === Number.MAX_SAFE_INTEGER) delete n.maximum;
    if (isNode(n.propertyNames) && Object.keys(n.propertyNames).length === 1 && n.propertyNames.type === "string") delete n.propertyNames;
    if (isNode(n.additionalProperties) && Object.keys(n.additionalProperties).length === 0) delete n.additionalProperties;
    return n;
  });
}

/** Output objects accept what they do not list (nothing ever adds it: answers come from the same schemas). */
export function dropClosedObjects(node: Json): Json {
  return walk(node, (n) => {
    if (n.additionalProperties === false) delete n.additionalProperties;
    return n;
  });
}

/**
 * An output schema names every key an answer may carry and its JSON type (an array's item type
 * too), and stops there: the shapes below the top level (rows, nested objects) are documented in
 * README and the text answer, and declared in full they would triple the listing's size. This is
 * what every client validating structuredContent checks, and what a host that generates types from
 * it needs to know which keys exist.
 */
export function topLevelTypes(schema: Json): Json {
  if (!isNode(schema) || !isNode(schema.properties)) return schema;
  const typeOnly = (n: Json, withItems: boolean): Node => {
    if (!isNode(n)) return {};
    const out: Node = {};
    if (typeof n.type === "string") out.type = n.type;
    if (Array.isArray(n.type)) out.type = n.type;
    if (Array.isArray(n.enum)) out.enum = n.enum;
    if (Array.isArray(n.anyOf)) out.anyOf = n.anyOf.map((b) => typeOnly(b, false));
    if (withItems && isNode(n.items)) {
      const items = typeOnly(n.items, false);
      if (Object.keys(items).length > 0) out.items = items;
    }
    return out;
  };
  const properties: Node = {};
  for (const [key, p] of Object.entries(schema.properties)) properties[key] = typeOnly(p, true);
  return { ...schema, properties };
}

/** Output objects list their keys; which of them are always present is no client's concern (answers come from the same schemas). */
export function dropRequired(node: Json): Json {
  return walk(node, (n) => {
    if (Array.isArray(n.required)) delete n.required;
    return n;
  });
}

/**
 * Hoists a subschema that occurs more than once into `$defs` and points each occurrence at it
 * (`{"$ref": "#/$defs/s<n>"}`), the biggest net saving first, while any repeat saves bytes (a
 * nullable number repeated three times is worth sharing; a `{"type": "string"}` never is). Output
 * schemas only: every JSON Schema validator an MCP client uses (Ajv in both SDK lines,
 * @cfworker/json-schema) resolves local refs, but several function-calling dialects reject `$ref`
 * in the input schemas a model reads.
 */
export function shareRepeats(schema: Json): Json {
  if (!isNode(schema)) return schema;
  let root: Node = schema;
  const defs: Node = {};
  for (;;) {
    const name = `s${Object.keys(defs).length + 1}`;
    const refChars = JSON.stringify({ $ref: `#/$defs/${name}` }).length;
    // The definition costs its text plus `"s<n>":` (and a `"$defs":{}` wrapper the first time).
    const defOverhead = name.length + 4 + (Object.keys(defs).length === 0 ? 11 : 0);
    const seen = new Map<string, number>();
    const visit = (node: Json, top: boolean): void => {
      if (Array.isArray(node)) return node.forEach((v) => visit(v, false));
      if (!isNode(node)) return;
      const text = JSON.stringify(node);
      if (!top && text.length > refChars) seen.set(text, (seen.get(text) ?? 0) + 1);
      for (const v of Object.values(node)) visit(v, false);
    };
    visit(root, true);
    const saving = ([text, count]: [string, number]): number => count * (text.length - refChars) - text.length - defOverhead;
    const best = [...seen].filter((e) => e[1] > 1 && saving(e) > 0).sort((a, b) => saving(b) - saving(a))[0];
    if (!best) break;
    const [text] = best;
    const ref = { $ref: `#/$defs/${name}` };
    defs[name] = JSON.parse(text) as Json;
    root = walk(root, (n) => (JSON.stringify(n) === text ? { ...ref } : n)) as Node;
  }
  return Object.keys(defs).length > 0 ? { ...root, $defs: defs } : root;
}

export function jsonSchema(schema: z.ZodType, io: "input" | "output"): Tool["inputSchema"] {
  const out = z.toJSONSchema(schema, { target: "draft-2020-12", io }) as Node;
  delete out.$schema;
  const lean = dropVacuous(out);
  if (io === "input") return portableTypes(dropLengthLimits(lean)) as Tool["inputSchema"];
  const open = dropRequired(dropClosedObjects(stripDescriptions(lean)));
  return shareRepeats(splitTypeArrays(topLevelTypes(open), { keepNull: true })) as Tool["inputSchema"];
}
