import { describe, expect, it } from "vitest";
import { defaultDataDir } from "../../src/store/index.js";

describe("defaultDataDir", () => {
  it("uses XDG_DATA_HOME on Linux when it is absolute", () => {
    expect(defaultDataDir({ XDG_DATA_HOME: "/data/xdg", HOME: "/home/u" }, "linux", "/home/u")).toBe("/data/xdg/opentelemetry-mcp");
  });

  it("falls back to ~/.local/share on Linux (and ignores a relative XDG_DATA_HOME)", () => {
    expect(defaultDataDir({ HOME: "/home/u" }, "linux", "/ignored")).toBe("/home/u/.local/share/opentelemetry-mcp");
    expect(defaultDataDir({ XDG_DATA_HOME: "rel/dir", HOME: "/home/u" }, "linux", "/home/u")).toBe("/home/u/.local/share/opentelemetry-mcp");
    expect(defaultDataDir({}, "freebsd", "/usr/home/u")).toBe("/usr/home/u/.local/share/opentelemetry-mcp");
  });

  it("uses Application Support on macOS", () => {
    expect(defaultDataDir({ HOME: "/Users/u" }, "darwin", "/Users/u")).toBe("/Users/u/Library/Application Support/opentelemetry-mcp");
  });

  it("uses %LOCALAPPDATA% on Windows, else the profile's AppData\\Local", () => {
    expect(defaultDataDir({ LOCALAPPDATA: "C:\\Users\\u\\AppData\\Local" }, "win32", "C:\\Users\\u")).toBe("C:\\Users\\u\\AppData\\Local\\opentelemetry-mcp");
    expect(defaultDataDir({ USERPROFILE: "C:\\Users\\v" }, "win32", "C:\\Users\\u")).toBe("C:\\Users\\v\\AppData\\Local\\opentelemetry-mcp");
  });
});
