/** The JSON walker: key classes, levels, nested answers, counts by kind, the note, immutability. */
import { describe, expect, it } from "vitest";
import { isContentKey, isStructuralKey, sensitiveKeyKind } from "../../src/redact/keys.js";
import { createRedactor, redactionNote } from "../../src/redact/redactor.js";
import { parseRedactRules } from "../../src/redact/custom-rules.js";

const EMAIL = "jane.doe@example.com";
const OPENAI = "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zQ7";

describe("attribute names", () => {
  it.each([
    ["db.password", "password"],
    ["password", "password"],
    ["user.password_hash", "password"],
    ["http.request.header.authorization", "authorization"],
    ["http.request.header.proxy-authorization", "authorization"],
    ["http.request.header.x-api-key", "api_key"],
    ["OPENAI_API_KEY", "api_key"],
    ["apiKey", "api_key"],
    ["api_key", "api_key"],
    ["client_secret", "secret"],
    ["aws.secret_access_key", "api_key"],
    ["csrf_token", "token"],
    ["x-internal-token", "token"],
    ["github.token", "token"],
    ["http.response.header.set-cookie", "cookie"],
    ["db.connection_string", "connection_string"],
    ["ConnectionString", "connection_string"],
    ["sentry.dsn", "connection_string"],
    ["tls.private_key", "private_key"],
    ["service.credentials", "credentials"],
  ])("%s names a credential (%s)", (key, kind) => {
    expect(sensitiveKeyKind(key)).toBe(kind);
  });

  it.each([
    "gen_ai.usage.prompt_tokens",
    "gen_ai.usage.input_tokens",
    "gen_ai.request.max_tokens",
    "llm.usage.total_tokens",
    "token_count",
    "tokenizer",
    "secret_name",
    "messaging.rabbitmq.destination.routing_key",
    "messaging.kafka.message.key",
    "cache_key",
    "password_policy",
    "user.id",
    "gen_ai.prompt.0.content",
  ])("%s does not", (key) => {
    expect(sensitiveKeyKind(key)).toBeUndefined();
  });

  it("structural keys and version suffixes", () => {
    for (const k of ["trace_id", "span_id", "parent_span_id", "start_time", "duration_ms", "http.response.status_code", "service.version", "telemetry.sdk.version", "traceId"]) {
      expect(isStructuralKey(k)).toBe(true);
    }
    for (const k of ["operation_name", "user.id", "error_message", "gen_ai.prompt.0.content", "status"]) expect(isStructuralKey(k)).toBe(false);
  });

  it("content keys", () => {
    for (const k of [
      "gen_ai.prompt.0.content",
      "gen_ai.completion.3.content",
      "gen_ai.prompt.1.tool_calls.0.arguments",
      "gen_ai.input.messages",
      "gen_ai.output.messages",
      "llm.input_messages.0.message.content",
      "traceloop.entity.input",
      "prompt_preview",
      "completion_preview",
      "ai.prompt.messages",
    ]) {
      expect(isContentKey(k), k).toBe(true);
    }
    for (const k of ["gen_ai.prompt.0.role", "gen_ai.usage.prompt_tokens", "error.message", "gen_ai.request.model"]) expect(isContentKey(k), k).toBe(false);
  });
});

const LLM_SPAN = {
  span_id: "00f067aa0ba902b7",
  operation_name: "openai.chat",
  attributes: {
    "gen_ai.prompt.0.content": `My key is ${OPENAI}, mail me at ${EMAIL}`,
    "gen_ai.completion.0.content": "Charged card 4111 1111 1111 1111.",
    "db.password": "hunter2",
    "http.request.header.authorization": ["Bearer abc123def456"],
    "payment.card": 4111111111111111,
    "client.address": "203.0.113.42",
    "http.response.status_code": 200,
    "llm.is_streaming": false,
  },
  llm_attributes: { prompt_preview: `My key is ${OPENAI}, mail me at ${EMAIL}` },
};
const OTHER_SPAN = { span_id: "00f067aa0ba902b8", operation_name: `notify ${EMAIL}`, attributes: { "retry.count": 3 } };
const ANSWER = {
  trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
  start_time: "2025-11-13T12:00:00.000000Z",
  duration_ms: 4111111111111111, // a structural number that happens to pass Luhn: never touched
  spans: [LLM_SPAN, OTHER_SPAN] as [typeof LLM_SPAN, typeof OTHER_SPAN],
};

describe("redactJson", () => {
  it("secrets: credentials by pattern and by name, cards (strings and numbers); PII stays", () => {
    const r = createRedactor({ level: "secrets" }).redactJson(ANSWER);
    const s0 = r.value.spans[0]!;
    expect(s0.attributes).toEqual({
      "gen_ai.prompt.0.content": `My key is [REDACTED:openai_key], mail me at ${EMAIL}`,
      "gen_ai.completion.0.content": "Charged card [REDACTED:card_number].",
      "db.password": "[REDACTED:password]",
      "http.request.header.authorization": ["[REDACTED:authorization]"],
      "payment.card": "[REDACTED:card_number]",
      "client.address": "203.0.113.42",
      "http.response.status_code": 200,
      "llm.is_streaming": false,
    });
    expect(s0.llm_attributes.prompt_preview).toBe(`My key is [REDACTED:openai_key], mail me at ${EMAIL}`);
    expect(r.value.duration_ms).toBe(4111111111111111);
    expect(r.value.spans[1]!.operation_name).toBe(`notify ${EMAIL}`);
    expect(r.byKind).toEqual({ openai_key: 2, card_number: 2, password: 1, authorization: 1 });
    expect(r.count).toBe(6);
  });

  it("pii adds emails and IPs, also in span names", () => {
    const r = createRedactor({ level: "pii" }).redactJson(ANSWER);
    expect(r.value.spans[0]!.attributes["gen_ai.prompt.0.content"]).toBe("My key is [REDACTED:openai_key], mail me at [REDACTED:email]");
    expect(r.value.spans[0]!.attributes["client.address"]).toBe("[REDACTED:ip_address]");
    expect(r.value.spans[1]!.operation_name).toBe("notify [REDACTED:email]");
    expect(r.byKind).toEqual({ openai_key: 2, card_number: 2, password: 1, authorization: 1, email: 3, ip_address: 1 });
    expect(r.count).toBe(10);
  });

  it("content replaces prompt and completion bodies by their length", () => {
    const r = createRedactor({ level: "content" }).redactJson(ANSWER);
    const prompt = ANSWER.spans[0]!.attributes["gen_ai.prompt.0.content"];
    expect(r.value.spans[0]!.attributes["gen_ai.prompt.0.content"]).toBe(`[REDACTED:content length=${prompt.length}]`);
    expect(r.value.spans[0]!.attributes["gen_ai.completion.0.content"]).toBe("[REDACTED:content length=33]");
    expect(r.value.spans[0]!.llm_attributes.prompt_preview).toBe(`[REDACTED:content length=${prompt.length}]`);
    expect(r.byKind).toEqual({ content: 3, card_number: 1, password: 1, authorization: 1, email: 1, ip_address: 1 });
  });

  it("structured message arrays under a content key count as one body", () => {
    const messages = [{ role: "user", content: "hi" }];
    const r = createRedactor({ level: "content" }).redactJson({ "gen_ai.input.messages": messages });
    expect(r.value).toEqual({ "gen_ai.input.messages": `[REDACTED:content length=${JSON.stringify(messages).length}]` });
  });

  it("none returns the very same object", () => {
    const r = createRedactor({ level: "none" }).redactJson(ANSWER);
    expect(r.value).toBe(ANSWER);
    expect(r.count).toBe(0);
  });

  it("never mutates its input and shares untouched branches", () => {
    const before = JSON.stringify(ANSWER);
    const r = createRedactor({ level: "pii" }).redactJson(ANSWER);
    expect(JSON.stringify(ANSWER)).toBe(before);
    expect(r.value).not.toBe(ANSWER);
    const clean = { a: { b: ["x", 1, true, null] }, c: "plain text" };
    expect(createRedactor({ level: "pii" }).redactJson(clean).value).toBe(clean);
  });

  it("counts every occurrence, also of repeated values", () => {
    const r = createRedactor({ level: "pii" }).redactJson({ list: [EMAIL, EMAIL, `${EMAIL} and ${EMAIL}`] });
    expect(r.value.list).toEqual(["[REDACTED:email]", "[REDACTED:email]", "[REDACTED:email] and [REDACTED:email]"]);
    expect(r.count).toBe(4);
  });

  it("empty strings, booleans and null under a credential name stay", () => {
    const r = createRedactor({ level: "secrets" }).redactJson({ password: "", token: null, secret: true, api_key: { id: "k1", value: "abc" } });
    expect(r.value).toEqual({ password: "", token: null, secret: true, api_key: { id: "[REDACTED:api_key]", value: "[REDACTED:api_key]" } });
    expect(r.count).toBe(2);
  });

  it("a key named __proto__ stays a plain key (values still redacted, no prototype change)", () => {
    const input = JSON.parse('{"__proto__": {"password": "x"}, "a": {"__proto__": "jane@example.com"}, "secret": {"__proto__": "y"}}') as unknown;
    const r = createRedactor({ level: "pii" }).redactJson(input);
    expect(JSON.stringify(r.value)).toBe('{"__proto__":{"password":"[REDACTED:password]"},"a":{"__proto__":"[REDACTED:email]"},"secret":{"__proto__":"[REDACTED:secret]"}}');
    expect(Object.getPrototypeOf(r.value)).toBe(Object.prototype);
  });

  it("redactValue uses the key it is given", () => {
    const red = createRedactor({ level: "secrets" });
    expect(red.redactValue("hunter2", { key: "db.password" })).toBe("[REDACTED:password]");
    expect(red.redactValue("hunter2", { key: "db.user" })).toBe("hunter2");
    expect(red.redactValue("abc", { key: "trace_id" })).toBe("abc");
    expect(red.redactValue(`k=${OPENAI}`)).toBe("k=[REDACTED:openai_key]");
  });
});

describe("custom rules", () => {
  const rules = parseRedactRules(
    JSON.stringify({
      patterns: [
        { name: "employee-id", regex: "EMP-\\d{6}" },
        { name: "ticket", regex: "tkt_[a-z]{4}", flags: "i", level: "pii" },
      ],
      attributes: ["x-internal-token", "customer.*"],
    }),
    "rules.json",
  );

  it("patterns at their level, attribute globs at every level but none", () => {
    const value = { note: "EMP-123456 opened TKT_abcd", "customer.name": "Jane", "Customer.Tier": "gold", customer: "x", "x-internal-token": "t0" };
    const s = createRedactor({ level: "secrets", rules }).redactJson(value);
    expect(s.value).toEqual({
      note: "[REDACTED:employee-id] opened TKT_abcd",
      "customer.name": "[REDACTED:custom_attribute]",
      "Customer.Tier": "[REDACTED:custom_attribute]",
      customer: "x",
      "x-internal-token": "[REDACTED:custom_attribute]",
    });
    expect(createRedactor({ level: "pii", rules }).redactJson(value).value.note).toBe("[REDACTED:employee-id] opened [REDACTED:ticket]");
    expect(createRedactor({ level: "none", rules }).redactJson(value).value).toBe(value);
  });

  it("short custom findings are not skipped by the length shortcut", () => {
    const short = parseRedactRules(JSON.stringify({ patterns: [{ name: "pin", regex: "\\b\\d{4}\\b" }] }), "r.json");
    expect(createRedactor({ level: "secrets", rules: short }).redactText("1234").value).toBe("[REDACTED:pin]");
  });
});

describe("redactionNote", () => {
  it("names the count and the kinds, most frequent first", () => {
    expect(redactionNote({ count: 4, byKind: { openai_key: 1, email: 3 } })).toBe("4 values redacted (email: 3, openai_key: 1); set --redact none to see raw values");
    expect(redactionNote({ count: 1, byKind: { jwt: 1 } })).toBe("1 value redacted (jwt: 1); set --redact none to see raw values");
    expect(redactionNote({ count: 0, byKind: {} })).toBeUndefined();
  });
});
