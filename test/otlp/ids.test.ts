import { describe, expect, it } from "vitest";
import { bytesIdToHex, jsonIdToHex, otlpIdToHex } from "../../src/otlp/ids.js";

describe("OTLP ids", () => {
  it("reads hex and base64 JSON ids of exactly the right length", () => {
    expect(jsonIdToHex("5B8EFFF798038103D269B633813FC60C", 16)).toBe("5b8efff798038103d269b633813fc60c");
    expect(jsonIdToHex("W47/95gDgQPSabYzgT/GDA==", 16)).toBe("5b8efff798038103d269b633813fc60c");
    expect(jsonIdToHex("7uGbfsPBsXQ=", 8)).toBe("eee19b7ec3c1b174");
    expect(jsonIdToHex("eee19b7ec3c1b1", 8)).toBeUndefined();
    expect(jsonIdToHex("7uGbfsPB", 8)).toBeUndefined();
    expect(jsonIdToHex("not base64!", 8)).toBeUndefined();
    expect(jsonIdToHex(42, 8)).toBeUndefined();
  });

  it("answers '' for absent and all-zero ids", () => {
    expect(jsonIdToHex(undefined, 8)).toBe("");
    expect(jsonIdToHex("", 8)).toBe("");
    expect(jsonIdToHex("0000000000000000", 8)).toBe("");
    expect(jsonIdToHex("AAAAAAAAAAA=", 8)).toBe("");
    expect(otlpIdToHex("0000000000000000", 8)).toBeUndefined();
  });

  it("reads protobuf bytes", () => {
    expect(bytesIdToHex(Buffer.from("eee19b7ec3c1b174", "hex"), 8)).toBe("eee19b7ec3c1b174");
    expect(bytesIdToHex(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 9]), 8)).toBe("0000000000000009");
    expect(bytesIdToHex(new Uint8Array(8), 8)).toBe("");
    expect(bytesIdToHex(new Uint8Array(0), 8)).toBe("");
    expect(bytesIdToHex(new Uint8Array(7).fill(1), 8)).toBeUndefined();
  });
});
