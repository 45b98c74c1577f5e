/**
 * Planted secrets and PII through the real MCP client (in-memory transport, MemoryBackend): an
 * OpenAI key and a JWT in a prompt, a card number in a completion, a password attribute, an
 * `Authorization: Bearer` header attribute, a DB connection string, an email in an exception
 * event's message and in a span name. get_trace, search_spans and find_errors are called at each
 * level; the planted values must be absent from both the text and structuredContent, the markers
 * and the note's counts present — and at `none` every raw value comes back. The prompt and
 * completion are long enough that the tools' 100-character previews cut through the JWT and the
 * email: the cut-off fragments must not leak either.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assembleTrace, createSpan, type Trace } from "../../src/domain/trace.js";
import { DATASET_START_MS, generateDataset } from "../helpers/dataset.js";
import { connect, type Connected } from "../helpers/mcp.js";
import { MemoryBackend } from "../helpers/memory-backend.js";

const OPENAI_KEY = "sk-proj-Zq8xW2vB5nM1kL4jH7gF0dS3aP6oI9uY2tR5eW8qZ1";
const JWT =
  "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwiZXhwIjoxNzYzMDAwMDAwfQ.c2lnbmF0dXJlLWJ5dGVzLWhlcmUtZm9yLXRoZS10ZXN0";
const CARD = "4242 4242 4242 4242";
const PASSWORD = "Tr0ub4dor&3-horse";
const BEARER = "tl_live_8f2e4a6c9b1d3e5f7a9c";
const DB_URL_PASSWORD = "pg-Pa55word";
const EMAIL = "maria.rossi@example.org";

// Long enough that the tools' 100-character previews cut through the JWT and through the email.
const PROMPT = `Use key ${OPENAI_KEY} with session token ${JWT} to refund the order.`;
const COMPLETION = `Refund issued to card ${CARD}; the confirmation was sent to holder ${EMAIL} today.`;
const RAW = [OPENAI_KEY, JWT, CARD, PASSWORD, BEARER, DB_URL_PASSWORD];

const TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
const t0 = (DATASET_START_MS + 30 * 60_000) * 1000;

function plantedTrace(): Trace {
  const span = (id: string, rest: Partial<Parameters<typeof createSpan>[0]>) =>
    createSpan({ traceId: TRACE_ID, spanId: id, parentSpanId: "a000000000000001", operationName: "x", serviceName: "billing-service", startTimeUs: t0 + 1000, durationMs: 5, ...rest });
  return assembleTrace(TRACE_ID, [
    span("a000000000000001", { parentSpanId: null, operationName: "refund.workflow", durationMs: 900, status: "ERROR" }),
    span("a000000000000002", {
      operationName: "openai.chat",
      durationMs: 700,
      status: "OK",
      attributes: {
        "gen_ai.system": "openai",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.prompt_tokens": 120,
        "gen_ai.usage.completion_tokens": 30,
        "gen_ai.prompt.0.content": PROMPT,
        "gen_ai.completion.0.content": COMPLETION,
        "http.request.header.authorization": `Bearer ${BEARER}`,
      },
    }),
    span("a000000000000003", {
      operationName: "SELECT orders",
      attributes: { "db.system": "postgresql", "db.password": PASSWORD, "db.connection_string": `postgres://billing:${DB_URL_PASSWORD}@db:5432/billing` },
    }),
    span("a000000000000004", {
      operationName: `GET /users/${EMAIL}`,
      status: "ERROR",
      attributes: { "enduser.id": EMAIL },
      events: [{ name: "exception", timestamp: t0 + 2000, attributes: { "exception.type": "UserNotFound", "exception.message": `No account for ${EMAIL}` } }],
    }),
  ])!;
}

const traces = [...generateDataset({ traces: 4 }), plantedTrace()];

interface Seen {
  /** Everything the client received: every text block and structuredContent. */
  all: string;
  structured: Record<string, unknown>;
  extra: string[];
}

async function call(mcp: Connected, name: string, args: Record<string, unknown>): Promise<Seen> {
  const res = (await mcp.client.callTool({ name, arguments: args })) as CallToolResult;
  expect(res.isError, JSON.stringify(res.content)).toBeFalsy();
  const texts = res.content.flatMap((c) => (c.type === "text" ? [c.text] : []));
  // Resource links (name, title) are output too: they count for what must be absent.
  const links = res.content.filter((c) => c.type !== "text");
  return { all: texts.join("\n") + JSON.stringify(links) + JSON.stringify(res.structuredContent), structured: res.structuredContent!, extra: texts.slice(1) };
}

const LEVELS = ["secrets", "pii", "content", "none"] as const;
const conns = new Map<string, Connected>();

beforeAll(async () => {
  for (const level of LEVELS) conns.set(level, await connect({ flags: { redact: level }, backendFactory: async () => new MemoryBackend(traces) }));
});
afterAll(async () => {
  for (const c of conns.values()) await c.close();
});

const getTrace = (level: string) => call(conns.get(level)!, "get_trace", { trace_id: TRACE_ID });
const findErrors = (level: string) => call(conns.get(level)!, "find_errors", { service_name: "billing-service" });
const searchSpans = (level: string) =>
  call(conns.get(level)!, "search_spans", { filters: [{ field: "enduser.id", operator: "equals", value: EMAIL }] });

function absent(seen: Seen, values: readonly string[]): void {
  for (const v of values) expect(seen.all, `leaked ${v}`).not.toContain(v);
}

describe("get_trace", () => {
  it("secrets: keys, JWT, card, password, bearer and URL credentials are replaced; the note counts them", async () => {
    const seen = await getTrace("secrets");
    absent(seen, RAW);
    for (const m of ["[REDACTED:openai_key]", "[REDACTED:jwt]", "[REDACTED:card_number]", "[REDACTED:password]", "[REDACTED:authorization]", "[REDACTED:connection_string]"]) {
      expect(seen.all).toContain(m);
    }
    expect(seen.all).toContain(EMAIL); // PII is shown at this level
    const llm = (seen.structured.spans as Array<{ span_id: string; attributes: Record<string, unknown> }>).find((s) => s.span_id === "a000000000000002")!;
    const llmAttrs = llm as unknown as { llm_attributes: { prompt_preview: string } };
    expect(llm.attributes["gen_ai.prompt.0.content"]).toBe("Use key [REDACTED:openai_key] with session token [REDACTED:jwt] to refund the order.");
    expect(llmAttrs.llm_attributes.prompt_preview).toBe("Use key [REDACTED:openai_key] with session token [REDACTED:truncated]...");
    // The key and the card appear twice (attribute and preview); the preview holds only the JWT's cut-off start.
    // get_trace has `notes`, so the note goes there (not into an extra text block).
    expect(seen.extra).toEqual([]);
    expect(seen.structured.notes).toEqual([
      "9 values redacted (card_number: 2, openai_key: 2, authorization: 1, connection_string: 1, jwt: 1, password: 1, truncated: 1); set --redact none to see raw values",
    ]);
  });

  it("pii: also the email in the span name and attribute", async () => {
    const seen = await getTrace("pii");
    absent(seen, [...RAW, EMAIL, "maria.rossi@"]);
    expect(seen.all).toContain("GET /users/[REDACTED:email]");
    expect(seen.all).toContain("sent to holder [REDACTED:truncated]...");
    expect(seen.structured.notes).toEqual([
      "13 values redacted (email: 3, card_number: 2, openai_key: 2, truncated: 2, authorization: 1, connection_string: 1, jwt: 1, password: 1); set --redact none to see raw values",
    ]);
  });

  it("content: prompt and completion bodies become their length", async () => {
    const seen = await getTrace("content");
    absent(seen, [...RAW, EMAIL, "refund the order", "confirmation was sent"]);
    expect(seen.all).toContain(`[REDACTED:content length=${PROMPT.length}]`);
    expect(seen.all).toContain(`[REDACTED:content length=${COMPLETION.length}]`);
    expect((seen.structured.notes as string[])[0]).toMatch(/content: 4/);
  });

  it("none: every raw value, no note", async () => {
    const seen = await getTrace("none");
    for (const v of [...RAW, EMAIL, PROMPT, COMPLETION]) expect(seen.all).toContain(v);
    expect(seen.all).not.toContain("[REDACTED");
    expect(seen.extra).toEqual([]);
    expect(seen.structured.notes).toBeUndefined();
  });
});

describe("find_errors", () => {
  it("secrets leaves the email in the exception message; pii and content replace it and say so in notes", async () => {
    const s = await findErrors("secrets");
    expect(s.all).toContain(`No account for ${EMAIL}`);
    for (const level of ["pii", "content"]) {
      const seen = await findErrors(level);
      absent(seen, [EMAIL]);
      expect(seen.all).toContain("No account for [REDACTED:email]");
      const notes = seen.structured.notes as string[];
      expect(notes.at(-1)).toBe("2 values redacted (email: 2); set --redact none to see raw values");
      expect(seen.extra).toEqual([]);
    }
    expect((await findErrors("none")).all).toContain(`No account for ${EMAIL}`);
  });
});

describe("search_spans", () => {
  it("a filter on the email still matches; the email is redacted in the answer (span name and the filter note)", async () => {
    for (const level of ["pii", "content"]) {
      const seen = await searchSpans(level);
      expect(seen.structured.count).toBe(1);
      absent(seen, [EMAIL]);
      const notes = seen.structured.notes as string[];
      expect(notes.some((n) => n.includes('enduser.id equals "[REDACTED:email]"'))).toBe(true);
      expect(notes.at(-1)).toBe("2 values redacted (email: 2); set --redact none to see raw values");
    }
    const raw = await searchSpans("none");
    expect(raw.structured.count).toBe(1);
    expect(raw.all).toContain(`GET /users/${EMAIL}`);
  });
});

describe("errors", () => {
  it("error messages pass through the redactor too", async () => {
    // The model name is echoed in the "no data" message; trace ids are validated before any echo.
    const res = (await conns.get("pii")!.client.callTool({ name: "get_llm_model_stats", arguments: { model_name: EMAIL } })) as CallToolResult;
    expect(res.isError).toBe(true);
    const text = (res.content[0] as { text: string }).text;
    expect(text).not.toContain(EMAIL);
    expect(text).toContain("[REDACTED:email]");
  });
});
