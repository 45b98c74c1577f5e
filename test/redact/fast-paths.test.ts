/**
 * The redactor's fast paths give exactly what a fresh scan gives: scanned strings remembered
 * across calls (a repeated answer, a string shared by many spans, a full cache that starts over),
 * and the for-in walk of plain objects (other prototypes keep Object.keys: own keys only).
 */
import { describe, expect, it } from "vitest";
import { createRedactor } from "../../src/redact/redactor.js";

const OPENAI = "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zQ7";
// 4111 1111 1111 1111 passes Luhn and the Visa prefix (the test card of every network's docs).
const CARD = "4111 1111 1111 1111";
const prompt = `Use key ${OPENAI} and pay with ${CARD} please`;
const redacted = "Use key [REDACTED:openai_key] and pay with [REDACTED:card_number] please";

describe("scanned strings remembered across calls", () => {
  it("a repeated answer is redacted and counted again on every call", () => {
    const r = createRedactor({ level: "secrets" });
    const answer = { spans: [{ attributes: { "gen_ai.prompt.0.content": prompt } }] };
    for (let call = 0; call < 3; call++) {
      const out = r.redactJson(answer);
      expect(out.value).toEqual({ spans: [{ attributes: { "gen_ai.prompt.0.content": redacted } }] });
      expect(out.count).toBe(2);
      expect(out.byKind).toEqual({ openai_key: 1, card_number: 1 });
    }
  });

  it("an equal string built anew (not the same object) is redacted the same way", () => {
    const r = createRedactor({ level: "secrets" });
    expect(r.redactJson({ a: prompt }).value).toEqual({ a: redacted });
    const rebuilt = ["Use key ", OPENAI, " and pay with ", CARD, " please"].join("");
    const out = r.redactJson({ b: rebuilt, c: [rebuilt] });
    expect(out.value).toEqual({ b: redacted, c: [redacted] });
    expect(out.count).toBe(4);
  });

  it("redactText and redactValue share the remembered scans and still count them", () => {
    const r = createRedactor({ level: "secrets" });
    expect(r.redactJson({ a: prompt }).count).toBe(2);
    const text = r.redactText(prompt);
    expect(text.value).toBe(redacted);
    expect(text.byKind).toEqual({ openai_key: 1, card_number: 1 });
    expect(r.redactValue(prompt, { key: "message" })).toBe(redacted);
  });

  it("a string remembered by a secrets redactor is still scanned for PII by a pii redactor", () => {
    const email = "Contact jane.doe@example.com today";
    const secrets = createRedactor({ level: "secrets" });
    const pii = createRedactor({ level: "pii" });
    expect(secrets.redactJson({ m: email }).value).toEqual({ m: email });
    expect(pii.redactJson({ m: email }).value).toEqual({ m: "Contact [REDACTED:email] today" });
    expect(secrets.redactJson({ m: email }).count).toBe(0);
  });

  it("once the cache has filled and started over, secrets are still found", () => {
    const r = createRedactor({ level: "secrets" });
    expect(r.redactJson({ a: prompt }).count).toBe(2);
    // 60,000 distinct strings of ~150 characters: past both the entry and the character bound.
    const filler = Array.from({ length: 60_000 }, (_, i) => `${i} `.padEnd(150, "x"));
    expect(r.redactJson({ filler }).count).toBe(0);
    const out = r.redactJson({ a: prompt, b: `token ${OPENAI}` });
    expect(out.value).toEqual({ a: redacted, b: "token [REDACTED:openai_key]" });
    expect(out.count).toBe(3);
  });
});

describe("walking objects", () => {
  it("finds secrets in plain objects at every depth, under ordinary and credential keys", () => {
    const r = createRedactor({ level: "secrets" });
    const answer = { spans: [{ attributes: { note: prompt, "db.password": "hunter2", nested: { deeper: [{ x: OPENAI }] } } }] };
    const out = r.redactJson(answer);
    expect(out.value).toEqual({
      spans: [{ attributes: { note: redacted, "db.password": "[REDACTED:password]", nested: { deeper: [{ x: "[REDACTED:openai_key]" }] } } }],
    });
    expect(out.count).toBe(4);
  });

  it("objects without Object.prototype (null prototype, class instances) are walked by their own keys", () => {
    const r = createRedactor({ level: "secrets" });
    const bare = Object.create(null) as Record<string, unknown>;
    bare.note = prompt;
    class Holder {
      note = prompt;
    }
    const out = r.redactJson({ bare, holder: new Holder() });
    expect(out.count).toBe(4);
    expect((out.value.bare as Record<string, unknown>).note).toBe(redacted);
    expect((out.value.holder as unknown as Record<string, unknown>).note).toBe(redacted);
  });

  it("inherited enumerable keys are not visited (as with Object.keys)", () => {
    const r = createRedactor({ level: "secrets" });
    const proto = { inherited: OPENAI };
    const child = Object.create(proto) as Record<string, unknown>;
    child.own = "plain text value";
    const out = r.redactJson({ child });
    expect(out.count).toBe(0);
    expect(out.value.child).toBe(child);
  });

  it("keys are visited in insertion order, integer-like keys first (the Object.keys order)", () => {
    const r = createRedactor({ level: "secrets" });
    const obj: Record<string, unknown> = { b: OPENAI, 2: OPENAI, a: "x".repeat(10), 1: "y".repeat(10) };
    const out = r.redactJson(obj);
    expect(Object.keys(out.value)).toEqual(Object.keys(obj));
    expect(out.value).toEqual({ 1: "y".repeat(10), 2: "[REDACTED:openai_key]", a: "x".repeat(10), b: "[REDACTED:openai_key]" });
  });
});
