import { describe, expect, it } from "vitest";
import { Bloom } from "../../src/store/bloom.js";
import { Rand } from "./gen.js";

describe("Bloom", () => {
  it("has no false negatives and about 1% false positives, also after a JSON round trip", () => {
    const r = new Rand(3);
    const members = Array.from({ length: 5000 }, () => r.hex(32));
    const bloom = Bloom.fromJSON(JSON.parse(JSON.stringify(Bloom.forItems(members).toJSON())));
    expect(members.every((m) => bloom.mayContain(m))).toBe(true);
    const strangers = Array.from({ length: 20000 }, () => r.hex(32));
    const fp = strangers.filter((s) => bloom.mayContain(s)).length / strangers.length;
    expect(fp).toBeLessThan(0.03);
    // Legacy 64-bit ids padded with zeros hash as well as random ones.
    const padded = Array.from({ length: 2000 }, () => "0".repeat(16) + r.hex(16));
    const b2 = Bloom.forItems(padded);
    expect(padded.every((m) => b2.mayContain(m))).toBe(true);
    expect(Array.from({ length: 5000 }, () => "0".repeat(16) + r.hex(16)).filter((s) => b2.mayContain(s)).length).toBeLessThan(150);
  });
});
