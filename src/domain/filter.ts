/**
 * The generic filter model shared by every tool and backend: `field`, `operator`,
 * `value` | `values`, `value_type`. One zod schema validates tool input; translation
 * (per backend) and local evaluation (filter-engine.ts) switch exhaustively on OPERATORS.
 */
import { z } from "zod";
import { toBool, toNumber } from "./attributes.js";

export const OPERATORS = [
  "equals",
  "not_equals",
  "contains",
  "not_contains",
  "starts_with",
  "ends_with",
  "in",
  "not_in",
  "gt",
  "lt",
  "gte",
  "lte",
  "between",
  "exists",
  "not_exists",
] as const;
export type Operator = (typeof OPERATORS)[number];

export const VALUE_TYPES = ["string", "number", "boolean"] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

export type Scalar = string | number | boolean;

export interface Filter {
  field: string;
  operator: Operator;
  value?: Scalar | null;
  values?: Scalar[] | null;
  valueType: ValueType;
}

/** Operators that compare against a list in `values`. */
export const LIST_OPERATORS: ReadonlySet<Operator> = new Set(["in", "not_in", "between"]);
/** Operators that take neither `value` nor `values`. */
export const PRESENCE_OPERATORS: ReadonlySet<Operator> = new Set(["exists", "not_exists"]);
/** Operators that must hold for every value of a multi-valued field (e.g. every span). */
export const NEGATIVE_OPERATORS: ReadonlySet<Operator> = new Set(["not_equals", "not_contains", "not_in"]);

/** Which operators make sense for each value type (anything else is rejected up front). */
export const OPERATORS_BY_TYPE: Readonly<Record<ValueType, ReadonlySet<Operator>>> = {
  string: new Set<Operator>([
    "equals", "not_equals", "contains", "not_contains", "starts_with", "ends_with", "in", "not_in", "exists", "not_exists",
  ]),
  number: new Set<Operator>([
    "equals", "not_equals", "gt", "lt", "gte", "lte", "between", "in", "not_in", "exists", "not_exists",
  ]),
  boolean: new Set<Operator>(["equals", "not_equals", "exists", "not_exists"]),
};

/** Pseudo-fields naming span/trace ids. */
export const ID_FIELDS = ["trace_id", "span_id", "parent_span_id"] as const;
/** Pseudo-fields computed over a whole trace. */
export const TRACE_ONLY_FIELDS = ["span_count", "llm_span_count", "total_tokens", "has_errors"] as const;
/** Every field with a built-in meaning rather than an attribute name. */
export const PSEUDO_FIELDS: ReadonlySet<string> = new Set([
  "service.name",
  "name",
  "operation_name",
  "duration",
  "status",
  ...ID_FIELDS,
  ...TRACE_ONLY_FIELDS,
]);

/** Field aliases accepted on input. `duration_ms` is what users (and the original's tests) write. */
const FIELD_ALIASES: Readonly<Record<string, string>> = {
  duration_ms: "duration",
};

export function canonicalField(field: string): string {
  return FIELD_ALIASES[field] ?? field;
}

/** Names that are properties of every JavaScript object: as a key they vanish or misbehave, so they are refused. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Why `name` cannot be an attribute name, or undefined when it can. No backend stores names with
 * control characters (Tempo's TraceQL cannot even write a NUL), and unpaired surrogates cannot be
 * encoded as UTF-8, so a query would silently search for another name.
 */
export function attributeNameProblem(name: string): string | undefined {
  if (RESERVED_NAMES.has(name)) return `'${name}' cannot be used as an attribute name (it is reserved in JavaScript objects); use another key`;
  if (/[\u0000-\u001f\u007f]/.test(name)) return "an attribute name cannot contain control characters (U+0000 to U+001F, U+007F); remove them";
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(name)) {
    return "an attribute name cannot contain an unpaired surrogate (it is not valid Unicode text); fix the encoding";
  }
  return undefined;
}

/** A string that may serve as an attribute name (filter field, tag key). */
export const attributeNameSchema = z.string().superRefine((name, ctx) => {
  const problem = attributeNameProblem(name);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const scalarSchema = z.union([z.string(), z.number(), z.boolean()]);

export const filterInputSchema = z
  .strictObject({
    field: attributeNameSchema
      .min(1)
      .describe(
        "Attribute (e.g. 'gen_ai.request.model') or pseudo-field: service.name, operation_name, duration (ms), " +
          "status (OK|ERROR|UNSET), trace_id, span_id; traces also span_count, llm_span_count, total_tokens, has_errors.",
      ),
    operator: z
      .enum(OPERATORS)
      .describe("gt, lt, gte, lte, between: numbers only; in, not_in, between take values; exists, not_exists no value."),
    value: scalarSchema
      .nullable()
      .optional()
      .describe("Comparison value."),
    values: z
      .array(scalarSchema)
      .nullable()
      .optional()
      .describe("List for in/not_in; [low, high] for between (inclusive)."),
    value_type: z
      .enum(VALUE_TYPES)
      .optional()
      .describe("Type of value (default: its JSON type)."),
  });

export type FilterInput = z.infer<typeof filterInputSchema>;

function inferValueType(input: FilterInput): ValueType {
  if (input.value_type) return input.value_type;
  const sample = input.value ?? input.values?.[0];
  if (typeof sample === "number") return "number";
  if (typeof sample === "boolean") return "boolean";
  return "string";
}

/** A value as quoted in a message: JSON, at most 64 characters of it. */
function quoteValue(v: Scalar): string {
  const text = JSON.stringify(v);
  return text.length > 64 ? `${text.slice(0, 64)}…(${text.length - 64} more)` : text;
}

/**
 * Validates one filter's internal consistency and returns the canonical Filter.
 * Throws an Error whose message says what is wrong and how to fix it.
 */
export function toFilter(input: FilterInput): Filter {
  const op = input.operator;
  const hasValue = input.value !== undefined && input.value !== null;
  const hasValues = input.values !== undefined && input.values !== null;
  if (PRESENCE_OPERATORS.has(op)) {
    if (hasValue || hasValues) {
      throw new Error(`Operator '${op}' does not accept value or values; remove them`);
    }
  } else if (LIST_OPERATORS.has(op)) {
    if (!hasValues || input.values!.length === 0) {
      throw new Error(`Operator '${op}' requires 'values' field (a non-empty array)`);
    }
    if (op === "between" && input.values!.length !== 2) {
      throw new Error(`Operator 'between' requires exactly 2 values: [low, high]`);
    }
  } else if (!hasValue) {
    throw new Error(`Operator '${op}' requires 'value' field`);
  }
  const valueType = inferValueType(input);
  if (!OPERATORS_BY_TYPE[valueType].has(op)) {
    const allowed = [...OPERATORS_BY_TYPE[valueType]].join(", ");
    throw new Error(`Operator '${op}' cannot be used with value_type '${valueType}'; allowed: ${allowed}`);
  }
  // A value the comparison cannot read would silently match nothing (or, for not_in, everything).
  const operands = [...(hasValue ? [input.value!] : []), ...(hasValues ? input.values! : [])];
  for (const operand of operands) {
    if (valueType === "number" && toNumber(operand) === undefined) {
      throw new Error(`Value ${quoteValue(operand)} is not a number, but value_type is 'number'`);
    }
    if (valueType === "boolean" && toBool(operand) === undefined) {
      throw new Error(`Value ${quoteValue(operand)} is not a boolean (true or false), but value_type is 'boolean'`);
    }
  }
  const filter: Filter = { field: canonicalField(input.field), operator: op, valueType };
  if (hasValue) filter.value = input.value!;
  if (hasValues) filter.values = [...input.values!];
  return filter;
}

/** Shorthand for the filters the simple tool parameters turn into. */
export function eq(field: string, value: Scalar, valueType: ValueType = "string"): Filter {
  return { field, operator: "equals", value, valueType };
}

export function describeFilter(f: Filter): string {
  const rhs = f.values ? JSON.stringify(f.values) : f.value !== undefined && f.value !== null ? JSON.stringify(f.value) : "";
  return `${f.field} ${f.operator}${rhs ? ` ${rhs}` : ""}`;
}
