/**
 * The SQL generator against the TypeScript normaliser (the reference), in a real DuckDB: every
 * fixture span, rows with awkward values and the demo application's spans are stored as the ClickHouse/OTel exporter stores it
 * (a Map(String, String) of attributes, every value rendered as text), and each normalised field's
 * SQL expression must give exactly what genaiFieldValue gives for the same span. A second dialect
 * binds every constant as a parameter, as a store that never splices text into SQL would.
 */
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AttributeValue } from "../../src/domain/attributes.js";
import { buildDemoPlan } from "../../src/demo/index.js";
import { createSpan, type Span } from "../../src/domain/trace.js";
import { genaiFieldValue, NORMALIZED_GENAI_FIELDS } from "../../src/genai/fields.js";
import { genaiCallSql, genaiSqlExpression, type SqlDialect } from "../../src/genai/sql.js";
import { isLlmSpan } from "../../src/genai/llm-span.js";
import { ALL_FIXTURES } from "../fixtures/genai/index.js";
import { expectedFields, fixtureSpan } from "../fixtures/genai/spans.js";

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** How the OTel Collector's ClickHouse exporter renders attribute values (AsString): JSON for arrays. */
function render(v: AttributeValue): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

const inlineDialect: SqlDialect = {
  attr: (key) => `attrs[${quote(key)}]`,
  num: (expr) => `TRY_CAST(${expr} AS DOUBLE)`,
  lit: (value) => quote(value),
};

function bindingDialect(): { dialect: SqlDialect; params: string[] } {
  const params: string[] = [];
  const bind = (v: string): string => {
    params.push(v);
    return `$${params.length}`;
  };
  return {
    params,
    dialect: { attr: (key) => `attrs[${bind(key)}]`, num: (expr) => `TRY_CAST(${expr} AS DOUBLE)`, lit: bind },
  };
}

/** Values evaluated once through `let` (a one-element DuckDB lambda), as the SQL stores bind them. */
function lettingDialect(): SqlDialect {
  let n = 0;
  return {
    ...inlineDialect,
    let: (value, body) => {
      const x = `_v${n++}`;
      return `list_transform([${value}], ${x} -> ${body(x)})[1]`;
    },
  };
}

const span = (attributes: Record<string, unknown>): Span =>
  createSpan({ traceId: "t", spanId: "s", operationName: "op", serviceName: "svc", startTimeUs: 0, durationMs: 1, attributes });

/** Values the TS readers and the SQL must treat alike: junk counts, empty strings, case, prefixes. */
const EDGE_SPANS: Span[] = [
  span({ "gen_ai.system": "", "gen_ai.usage.input_tokens": "12.5", "gen_ai.usage.output_tokens": "true" }),
  span({ "gen_ai.system": "OpenAI", "gen_ai.usage.input_tokens": "0", "gen_ai.usage.prompt_tokens": 0, "gen_ai.usage.output_tokens": -3 }),
  span({ "gen_ai.provider.name": "AZURE.chat", "gen_ai.request.model": "", "gen_ai.response.model": "gpt-4o", "gen_ai.usage.output_tokens": "nan" }),
  span({ "gen_ai.system": "bedrock-mantle.chat", "gen_ai.usage.input_tokens": 1e16, "gen_ai.usage.output_tokens": "1e2" }),
  span({ "gen_ai.system": "some-new-Provider", "gen_ai.operation.name": "Invoke_Agent", "gen_ai.usage.input_tokens": 5 }),
  span({ "gen_ai.system": "openai", "gen_ai.operation.name": "Completion", "traceloop.span.kind": "TASK" }),
  span({ "gen_ai.system": "openai", "gen_ai.operation.name": "image_generation", "gen_ai.usage.input_tokens": 7 }),
  span({ "openinference.span.kind": "llm", "llm.provider": "Azure", "llm.model_name": "gpt-4o", "llm.token_count.prompt": 3 }),
  span({ "openinference.span.kind": "RERANKER", "llm.system": "cohere" }),
  span({ "ai.operationId": "ai.streamObject.doStream", "ai.model.provider": "amazon-bedrock", "ai.usage.inputTokens": 10, "ai.usage.cachedInputTokens": 90, "ai.usage.totalTokens": 15 }),
  span({ "ai.operationId": "ai.generateText.doGenerate", "ai.model.provider": "vertex.anthropic.messages", "ai.usage.promptTokens": 10, "ai.usage.cachedInputTokens": 5 }),
  span({ "ai.operationId": "ai.generateText.doGenerate", "gen_ai.system": "google.vertex.chat", "ai.usage.outputTokens": 10, "ai.usage.reasoningTokens": 4 }),
  span({ "ai.operationId": "ai.generateText.doGenerate", "ai.model.provider": "anthropic.messages", "ai.usage.cachedInputTokens": 40 }),
  span({ "ai.operationId": "ai.generateText", "ai.model.provider": "openai.chat", "ai.telemetry.metadata.sessionId": 42 }),
  span({ hidden_params: "{}", "gen_ai.system": "text-completion-openai", "llm.request.type": "atext_completion", "enduser.id": "e-1" }),
  span({ "llm.request.type": "chat", "gen_ai.usage.prompt_tokens": 5 }),
  span({ "http.request.method": "GET", "session.id": "", "gen_ai.conversation.id": "c-9", "user.id": "u-1" }),
  span({ "gen_ai.system": "some-new-Provider", "gen_ai.usage.total_tokens": "77" }),
];

/** The demo application's spans: every convention as demo-data emits it, plus plain HTTP/db spans. */
const DEMO_SPANS: Span[] = buildDemoPlan({ seed: 7, traces: 30, nowMs: Date.UTC(2026, 0, 15, 12) }).traces.flatMap((t) =>
  t.spans.map((s) =>
    createSpan({ traceId: t.traceId, spanId: s.spanId, operationName: s.name, serviceName: s.service, startTimeUs: s.startUs, durationMs: 1, attributes: s.attributes }),
  ),
);

const ROWS: Span[] = [...ALL_FIXTURES.map((f) => fixtureSpan(f)), ...EDGE_SPANS, ...DEMO_SPANS];

let instance: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(":memory:");
  conn = await instance.connect();
  await conn.run("CREATE TABLE spans (id INTEGER, attrs MAP(VARCHAR, VARCHAR))");
  const values = ROWS.map((s, i) => {
    const entries = Object.entries(s.attributes);
    const keys = entries.map(([k]) => quote(k)).join(", ");
    const vals = entries.map(([, v]) => quote(render(v))).join(", ");
    return `(${i}, MAP([${keys}]::VARCHAR[], [${vals}]::VARCHAR[]))`;
  });
  await conn.run(`INSERT INTO spans VALUES ${values.join(", ")}`);
});

afterAll(() => {
  conn?.closeSync();
  instance?.closeSync();
});

async function column(expr: string, params: string[] = []): Promise<unknown[]> {
  const reader = await conn.runAndReadAll(`SELECT id, ${expr} AS v FROM spans ORDER BY id`, params);
  return reader.getRowObjects().map((r) => r.v);
}

/** DuckDB returns NULL for "no value"; TS returns undefined. */
const fromSql = (v: unknown): unknown => (v === null ? undefined : v);

describe("genaiSqlExpression in DuckDB equals genaiFieldValue", () => {
  it.each(NORMALIZED_GENAI_FIELDS.map((f) => [f]))("%s", async (field) => {
    const got = (await column(genaiSqlExpression(field, inlineDialect))).map(fromSql);
    const want = ROWS.map((s) => genaiFieldValue(s, field));
    expect(got).toEqual(want);
  });

  it.each(NORMALIZED_GENAI_FIELDS.map((f) => [f]))("%s with every constant bound as a parameter", async (field) => {
    const { dialect, params } = bindingDialect();
    const expr = genaiSqlExpression(field, dialect);
    expect(expr).not.toMatch(/'/);
    const got = (await column(expr, params)).map(fromSql);
    expect(got).toEqual(ROWS.map((s) => genaiFieldValue(s, field)));
  });

  it.each(NORMALIZED_GENAI_FIELDS.map((f) => [f]))("%s with repeated values bound once (let)", async (field) => {
    const expr = genaiSqlExpression(field, lettingDialect());
    if (field === "gen_ai.provider.name") expect(expr.length).toBeLessThan(genaiSqlExpression(field, inlineDialect).length / 2);
    const got = (await column(expr)).map(fromSql);
    expect(got).toEqual(ROWS.map((s) => genaiFieldValue(s, field)));
  });
});

describe("genaiCallSql in DuckDB equals isLlmSpan", () => {
  it("inline and with let", async () => {
    const want = ROWS.map((s) => isLlmSpan(s));
    expect(want.filter(Boolean).length).toBeGreaterThan(10);
    expect(want.filter((x) => !x).length).toBeGreaterThan(10);
    expect(await column(genaiCallSql(inlineDialect))).toEqual(want);
    expect(await column(genaiCallSql(lettingDialect()))).toEqual(want);
  });
});

describe("the reference itself, on the fixtures", () => {
  it("genaiFieldValue gives the hand-written answers (so the SQL does too)", () => {
    ALL_FIXTURES.forEach((f, i) => {
      const fields = expectedFields(f);
      for (const field of NORMALIZED_GENAI_FIELDS) expect(genaiFieldValue(ROWS[i]!, field), `${f.name}: ${field}`).toBe(fields[field]);
    });
  });

  it("the edge rows are not vacuous: they exercise values on both sides", () => {
    const provider = EDGE_SPANS.map((s) => genaiFieldValue(s, "gen_ai.provider.name"));
    expect(provider).toEqual([
      undefined,
      "openai",
      "azure.ai.openai",
      "aws.bedrock",
      undefined,
      undefined,
      "openai",
      "azure.ai.openai",
      undefined,
      "aws.bedrock",
      "gcp.vertex_ai",
      "gcp.vertex_ai",
      "anthropic",
      undefined,
      "openai",
      undefined,
      undefined,
      "some-new-Provider",
    ]);
    // bedrock v5: 10 uncached + 90 cache reads; the recorded 15 + 90.
    expect(genaiFieldValue(EDGE_SPANS[9]!, "gen_ai.usage.input_tokens")).toBe(100);
    expect(genaiFieldValue(EDGE_SPANS[9]!, "gen_ai.usage.total_tokens")).toBe(105);
    expect(genaiFieldValue(EDGE_SPANS[11]!, "gen_ai.usage.output_tokens")).toBe(14);
    // Only cache reads reported: no input to adjust, so nothing is invented.
    expect(genaiFieldValue(EDGE_SPANS[12]!, "gen_ai.usage.input_tokens")).toBeUndefined();
    expect(genaiFieldValue(EDGE_SPANS[3]!, "gen_ai.usage.output_tokens")).toBe(100);
    expect(genaiFieldValue(EDGE_SPANS[3]!, "gen_ai.usage.input_tokens")).toBeUndefined();
    expect(genaiFieldValue(EDGE_SPANS[4]!, "gen_ai.operation.name")).toBe("Invoke_Agent");
    expect(genaiFieldValue(EDGE_SPANS[5]!, "gen_ai.operation.name")).toBe("text_completion");
    expect(genaiFieldValue(EDGE_SPANS[13]!, "session.id")).toBe("42");
    expect(genaiFieldValue(EDGE_SPANS[16]!, "session.id")).toBe("c-9");
  });
});
