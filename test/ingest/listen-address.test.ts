import { describe, expect, it } from "vitest";
import { parseListenAddress } from "../../src/ingest/listen-address.js";

describe("parseListenAddress", () => {
  it("reads HOST:PORT, bracketed IPv6 and none", () => {
    expect(parseListenAddress("127.0.0.1:4318")).toEqual({ host: "127.0.0.1", port: 4318 });
    expect(parseListenAddress(" localhost:0 ")).toEqual({ host: "localhost", port: 0 });
    expect(parseListenAddress("[::1]:4318")).toEqual({ host: "::1", port: 4318 });
    expect(parseListenAddress("0.0.0.0:4318")).toEqual({ host: "0.0.0.0", port: 4318 });
    expect(parseListenAddress("NONE")).toBe("none");
  });

  it("rejects what is not an address, saying what is accepted", () => {
    for (const bad of ["4318", "127.0.0.1", "::1:4318", "host:99999", "host:port", ""]) {
      expect(() => parseListenAddress(bad), bad).toThrow(/use HOST:PORT .* or 'none'/);
    }
  });
});
