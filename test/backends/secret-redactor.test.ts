/**
 * SecretRedactor on its own, with exact outputs: which values count as secrets, the encodings an
 * echo takes, the fragments of long secrets, one marker per masked run, and that nothing else in
 * the text changes. (The HTTP-level tests in http-client.test.ts and the fault matrix only check
 * that no secret survives, which a redactor that blanked everything would also pass.)
 */
import { describe, expect, it } from "vitest";
import { REDACTED, SecretRedactor, headerSecrets } from "../../src/backends/secret-redactor.js";

const R = REDACTED;

describe("headerSecrets", () => {
  it("is the value, and for '<scheme> <credential>' the credential too, trimmed", () => {
    expect(headerSecrets("  Bearer  abc.def-123  ")).toEqual(["Bearer  abc.def-123", "abc.def-123"]);
    expect(headerSecrets("Basic dXNlcjpwYXNz")).toEqual(["Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"]);
    expect(headerSecrets("x-token.v2+1 s3cr3t")).toEqual(["x-token.v2+1 s3cr3t", "s3cr3t"]);
    // No scheme: a bare token, a tenant id, a value with a leading digit or symbol.
    expect(headerSecrets(" tenant-a ")).toEqual(["tenant-a"]);
    expect(headerSecrets("1abc def")).toEqual(["1abc def"]);
    expect(headerSecrets("-x def")).toEqual(["-x def"]);
    expect(headerSecrets("Bearer")).toEqual(["Bearer"]);
  });
});

describe("SecretRedactor", () => {
  it("replaces each occurrence of a secret with the marker and leaves the rest of the text as it was", () => {
    expect(R).toBe("[redacted]");
    const r = new SecretRedactor(["hunter2x"]);
    expect(r.redact("pw=hunter2x; again hunter2x.")).toBe(`pw=${R}; again ${R}.`);
    expect(r.redact("nothing secret here")).toBe("nothing secret here");
    expect(r.redact("")).toBe("");
  });

  it("ignores values under 4 characters (they would mask ordinary words); 4 is enough", () => {
    const r = new SecretRedactor(["abc", "wxyz"]);
    expect(r.empty).toBe(false);
    expect(r.redact("abc wxyz abcd")).toBe(`abc ${R} abcd`);
    const none = new SecretRedactor(["a", "ab", "abc"]);
    expect(none.empty).toBe(true);
    expect(none.redact("a ab abc")).toBe("a ab abc");
    expect(new SecretRedactor([]).empty).toBe(true);
  });

  it("masks the JSON-escaped, percent-encoded and form-encoded echoes of a secret", () => {
    const secret = 'p"a ss/w\\d';
    const r = new SecretRedactor([secret]);
    expect(r.redact(`json:${JSON.stringify(secret).slice(1, -1)}|uri:${encodeURIComponent(secret)}|form:${encodeURIComponent(secret).replace(/%20/g, "+")}`)).toBe(
      `json:${R}|uri:${R}|form:${R}`,
    );
    // The quotes JSON.stringify adds are not part of the secret: they stay.
    expect(r.redact(JSON.stringify({ k: secret }))).toBe(`{"k":"${R}"}`);
  });

  it("replaces the longest secret first, so one that contains another leaves no piece of itself", () => {
    const r = new SecretRedactor(["tok1", "Bearer tok1"]);
    expect(r.redact("auth=Bearer tok1")).toBe(`auth=${R}`);
  });

  it("masks runs of a long secret (12+ characters) cut by the backend, one marker per run", () => {
    // 24 characters: fragments of min(8, ceil(24 / 2)) = 8 characters are masked.
    const secret = "abcdefghijklmnopqrstuvwx";
    const r = new SecretRedactor([secret]);
    expect(r.redact(`[${secret.slice(0, 8)}]`)).toBe(`[${R}]`);
    expect(r.redact(`[${secret.slice(16)}]`)).toBe(`[${R}]`);
    expect(r.redact(`head ${secret.slice(3, 20)}... tail`)).toBe(`head ${R}... tail`);
    // Seven characters of it are not enough to matter.
    expect(r.redact(`[${secret.slice(0, 7)}]`)).toBe(`[${secret.slice(0, 7)}]`);
    // Two separate runs: two markers.
    expect(r.redact(`${secret.slice(0, 9)} and ${secret.slice(10, 19)}`)).toBe(`${R} and ${R}`);
    // A run at the very start of the text.
    expect(r.redact(`${secret.slice(2, 12)}!`)).toBe(`${R}!`);
  });

  it("sizes fragments by the secret: half of a 12-character secret, never more than 8", () => {
    const twelve = "ABCDEFGHIJKL";
    const r = new SecretRedactor([twelve]);
    expect(r.redact(`<${twelve.slice(0, 6)}>`)).toBe(`<${R}>`);
    expect(r.redact(`<${twelve.slice(6)}>`)).toBe(`<${R}>`);
    expect(r.redact(`<${twelve.slice(3, 8)}>`)).toBe(`<${twelve.slice(3, 8)}>`);
    // 11 characters: whole only, no fragments.
    const eleven = "ABCDEFGHIJK";
    expect(new SecretRedactor([eleven]).redact(`<${eleven.slice(0, 10)}>`)).toBe(`<${eleven.slice(0, 10)}>`);
    // 40 characters: fragments of 8, so 8 characters of it are masked but 7 are not.
    const long = "0123456789abcdefghijklmnopqrstuvwxyzABCD";
    const rl = new SecretRedactor([long]);
    expect(rl.redact(`<${long.slice(30, 38)}>`)).toBe(`<${R}>`);
    expect(rl.redact(`<${long.slice(30, 37)}>`)).toBe(`<${long.slice(30, 37)}>`);
    // The last fragment of the secret counts too.
    expect(rl.redact(`<${long.slice(32)}>`)).toBe(`<${R}>`);
  });

  it("masks a fragment that ends the text, but not the secret's last few characters there", () => {
    const secret = "abcdefghijklmnopqrstuvwx";
    const r = new SecretRedactor([secret]);
    expect(r.redact(`end: ${secret.slice(12, 20)}`)).toBe(`end: ${R}`);
    expect(r.redact("ends with vwx")).toBe("ends with vwx");
  });
});
