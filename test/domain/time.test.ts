import { describe, expect, it } from "vitest";
import { formatTimeMs, formatTimeUs, parseTime, TimeParseError } from "../../src/domain/time.js";

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0); // 2025-01-15T12:00:00Z
const iso = (ms: number): string => new Date(ms).toISOString();

describe("parseTime: ISO 8601 forms Python's fromisoformat accepts", () => {
  // Expected values are what Python 3.11 fromisoformat gives, read as UTC when there is no offset.
  it.each([
    ["2025-01-15", "2025-01-15T00:00:00.000Z"],
    ["2025-01-15T10", "2025-01-15T10:00:00.000Z"],
    ["2025-01-15T10:30", "2025-01-15T10:30:00.000Z"],
    ["2025-01-15T10:30:45", "2025-01-15T10:30:45.000Z"],
    ["2025-01-15T10:30:45.1", "2025-01-15T10:30:45.100Z"],
    ["2025-01-15T10:30:45.12", "2025-01-15T10:30:45.120Z"],
    ["2025-01-15T10:30:45.123", "2025-01-15T10:30:45.123Z"],
    ["2025-01-15T10:30:45.1234", "2025-01-15T10:30:45.123Z"],
    ["2025-01-15T10:30:45.123456", "2025-01-15T10:30:45.123Z"],
    ["2025-01-15T10:30:45.123456789", "2025-01-15T10:30:45.123Z"],
    ["2025-01-15T10:30:45.999999999", "2025-01-15T10:30:45.999Z"], // truncated, never rounded up
    ["2025-01-15T10:30:45,5", "2025-01-15T10:30:45.500Z"],
    ["2025-01-15T10:30:45Z", "2025-01-15T10:30:45.000Z"],
    ["2025-01-15T10:30:45.5Z", "2025-01-15T10:30:45.500Z"],
    ["2025-01-15T10:30:45+00:00", "2025-01-15T10:30:45.000Z"],
    ["2025-01-15T10:30:45+05:30", "2025-01-15T05:00:45.000Z"],
    ["2025-01-15T10:30:45-08:00", "2025-01-15T18:30:45.000Z"],
    ["2025-01-15T10:30:45+0530", "2025-01-15T05:00:45.000Z"],
    ["2025-01-15T10:30:45-0800", "2025-01-15T18:30:45.000Z"],
    ["2025-01-15T10:30:45+05", "2025-01-15T05:30:45.000Z"],
    ["2025-01-15T10:30:45-05:30:15", "2025-01-15T16:01:00.000Z"],
    ["2025-01-15T10:30:45 +05:00", "2025-01-15T05:30:45.000Z"],
    ["2025-01-15T00:30:00+01:00", "2025-01-14T23:30:00.000Z"], // offset crosses midnight
    ["2025-01-15 10:30", "2025-01-15T10:30:00.000Z"],
    ["2025-01-15 10:30:45Z", "2025-01-15T10:30:45.000Z"],
    ["2025-01-15t10:30", "2025-01-15T10:30:00.000Z"],
    ["20250115", "2025-01-15T00:00:00.000Z"],
    ["20250115T10", "2025-01-15T10:00:00.000Z"],
    ["20250115T1030", "2025-01-15T10:30:00.000Z"],
    ["20250115T103045", "2025-01-15T10:30:45.000Z"],
    ["20250115T103045.25Z", "2025-01-15T10:30:45.250Z"],
    ["20250115T103045+0100", "2025-01-15T09:30:45.000Z"],
    ["20250115T10:30:45", "2025-01-15T10:30:45.000Z"], // basic date, extended time
    ["2025-01-15T103045", "2025-01-15T10:30:45.000Z"], // extended date, basic time
    ["2025-01-15Z", "2025-01-15T00:00:00.000Z"],
    ["2025-W03", "2025-01-13T00:00:00.000Z"],
    ["2025-W03-1", "2025-01-13T00:00:00.000Z"],
    ["2025-W03-7", "2025-01-19T00:00:00.000Z"],
    ["2025W031", "2025-01-13T00:00:00.000Z"],
    ["2025W03", "2025-01-13T00:00:00.000Z"],
    ["2025-W01-1", "2024-12-30T00:00:00.000Z"], // week 1 may start in the previous year
    ["2026-W53-1", "2026-12-28T00:00:00.000Z"],
    ["2025-W03-1T10:00Z", "2025-01-13T10:00:00.000Z"],
    ["2024-02-29", "2024-02-29T00:00:00.000Z"],
    ["2000-02-29", "2000-02-29T00:00:00.000Z"],
    ["2025-12-31T23:59:59", "2025-12-31T23:59:59.000Z"],
    ["  2025-01-15T10:00:00Z  ", "2025-01-15T10:00:00.000Z"], // surrounding whitespace is trimmed
  ])("%s -> %s", (input, expected) => {
    expect(iso(parseTime(input, NOW))).toBe(expected);
  });

  it("keeps years 1-99 literal (Date.UTC would map them to 19xx)", () => {
    expect(parseTime("0050-03-01T00:00:00Z")).toBe(Date.parse("0050-03-01T00:00:00Z"));
    expect(new Date(parseTime("0001-01-01")).getUTCFullYear()).toBe(1);
  });

  it("a string without offset is UTC, whatever the server's time zone", () => {
    expect(parseTime("2025-01-15T10:30:45")).toBe(Date.UTC(2025, 0, 15, 10, 30, 45));
  });
});

describe("parseTime: invalid dates and times are rejected", () => {
  it.each([
    ["2025-02-30", "day is out of range for month"],
    ["2025-02-29", "day is out of range for month"],
    ["1900-02-29", "day is out of range for month"],
    ["2025-04-31", "day is out of range for month"],
    ["2025-01-00", "day is out of range for month"],
    ["2025-13-01", "month must be in 1..12"],
    ["2025-00-10", "month must be in 1..12"],
    ["0000-01-01", "year 0 is out of range"],
    ["20251301", "month must be in 1..12"],
    ["2025-01-15T24:00", "hour must be in 0..23"],
    ["2025-01-15T10:60", "minute must be in 0..59"],
    ["2025-01-15T10:30:60", "second must be in 0..59"],
    ["2025-01-15T10:30:45+24:00", "invalid UTC offset"],
    ["2025-01-15T10:30:45+05:60", "invalid UTC offset"],
    ["2025-W53-1", "2025 has no week 53"],
    ["2025-W00", "week must be 01-53"],
    ["2025-W01-8", "week must be 01-53 and weekday 1-7"],
  ])("%s: %s", (input, why) => {
    expect(() => parseTime(input, NOW)).toThrow(TimeParseError);
    expect(() => parseTime(input, NOW)).toThrow(why);
  });

  it.each([
    ["yesterday"],
    ["2025-1-15"],
    ["2025-01-15T"],
    ["2025-01-15T10:3"],
    ["2025-01-15T10:30:45."],
    ["2025-01-15T10:30:45+05:3"],
    ["2025-01-15T10:30:45UTC"],
    ["2025-01-15x10:30"],
    ["+2025-01-15"],
    ["2025-015"],
    ["2025-01-15T10:30:45Z junk"],
    ["1h ago"],
    ["-1700000000"],
    ["10 minutes"],
  ])("%j gives the documented message", (input) => {
    expect(() => parseTime(input, NOW)).toThrow(
      `Invalid isoformat string: '${input}'. Use ISO 8601 (e.g. 2025-01-15T10:00:00Z; no offset means UTC), ` +
        "a relative time (1h, 30m, 7d, now-2h) or epoch seconds/milliseconds",
    );
  });

  it.each([[""], ["   "]])("%j -> empty value", (input) => {
    expect(() => parseTime(input, NOW)).toThrow(new TimeParseError("empty value"));
  });
});

describe("parseTime: relative forms against an injected now", () => {
  it.each([
    ["now", 0],
    ["NOW", 0],
    [" now ", 0],
    ["1h", -3_600_000],
    ["30m", -1_800_000],
    ["7d", -7 * 86_400_000],
    ["2w", -14 * 86_400_000],
    ["500ms", -500],
    ["1.5ms", -2], // rounded to whole milliseconds
    ["0.25s", -250],
    ["45s", -45_000],
    ["1.5h", -5_400_000],
    ["1H", -3_600_000],
    ["now-2h", -7_200_000],
    ["now - 2h", -7_200_000],
    ["now+5m", 300_000],
    ["NOW+5M", 300_000],
    ["-2h", -7_200_000],
    ["+5m", 300_000],
    ["0s", 0],
  ])("%s -> now %+d ms", (input, delta) => {
    expect(parseTime(input, NOW)).toBe(NOW + delta);
  });
});

describe("parseTime: epoch numbers", () => {
  it.each([
    ["1736942400", Date.UTC(2025, 0, 15, 12)], // 10 digits: seconds
    ["1736942400.5", Date.UTC(2025, 0, 15, 12) + 500],
    ["1736942400000", Date.UTC(2025, 0, 15, 12)], // 13 digits: milliseconds
    ["1736942400123.9", Date.UTC(2025, 0, 15, 12) + 123],
    ["9999999999", 9_999_999_999_000], // the largest seconds value (year 2286)
    ["10000000000", 10_000_000_000], // 11 digits: milliseconds
    ["123456789", 123_456_789_000], // 9 digits: seconds
    ["0", 0],
  ])("%s -> %d", (input, expected) => {
    expect(parseTime(input, NOW)).toBe(expected);
  });

  it("eight digits are a basic ISO date, not epoch seconds", () => {
    expect(iso(parseTime("19700101", NOW))).toBe("1970-01-01T00:00:00.000Z");
    expect(() => parseTime("12345678", NOW)).toThrow("month must be in 1..12");
  });
});

describe("formatTimeUs / formatTimeMs", () => {
  it.each([
    [0, "1970-01-01T00:00:00Z"],
    [1, "1970-01-01T00:00:00.000001Z"],
    [999_999, "1970-01-01T00:00:00.999999Z"],
    [1_000_000, "1970-01-01T00:00:01Z"],
    [1_000, "1970-01-01T00:00:00.001000Z"],
    [1_736_942_400_000_000, "2025-01-15T12:00:00Z"],
    [1_736_942_400_123_456, "2025-01-15T12:00:00.123456Z"],
    [1_000_001.9, "1970-01-01T00:00:01.000001Z"], // fractional µs truncated
    [-1, "1969-12-31T23:59:59.999999Z"],
    [-1_000_000, "1969-12-31T23:59:59Z"],
    [-1_500_000, "1969-12-31T23:59:58.500000Z"],
    [-0.5, "1970-01-01T00:00:00Z"],
    // Beyond 2^53 µs (year 2255) only multiples of 32 µs are representable, so whole seconds here.
    [253_402_300_799_000_000, "9999-12-31T23:59:59Z"],
    [-62_135_596_800_000_000, "0001-01-01T00:00:00Z"],
    // Outside years 0-9999 the ISO extended-year form is kept whole rather than cut mid-field.
    [253_402_300_800_000_000, "+010000-01-01T00:00:00Z"],
  ])("formatTimeUs(%d) -> %s", (us, expected) => {
    expect(formatTimeUs(us)).toBe(expected);
  });

  it.each([
    [0, "1970-01-01T00:00:00Z"],
    [1_736_942_400_123, "2025-01-15T12:00:00.123000Z"],
    [1_736_942_400_000.5, "2025-01-15T12:00:00.000500Z"],
    [-1, "1969-12-31T23:59:59.999000Z"],
  ])("formatTimeMs(%d) -> %s", (ms, expected) => {
    expect(formatTimeMs(ms)).toBe(expected);
  });

  it("round-trips with parseTime at millisecond precision", () => {
    const ms = Date.UTC(2025, 5, 1, 8, 9, 10, 11);
    expect(parseTime(formatTimeMs(ms))).toBe(ms);
  });
});

describe("parseTime: out-of-range results (#7)", () => {
  it.each(["99999999999999999999", "9".repeat(64), "999999999999999", "99999999999w", "now+99999999999d", "now-99999999999d"])(
    "%s is rejected, saying the accepted range",
    (input) => {
      // Ground truth: the JavaScript Date itself cannot represent these within years 1-9999.
      expect(() => parseTime(input, NOW)).toThrow(TimeParseError);
      expect(() => parseTime(input, NOW)).toThrow(/out of range: times must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59\.999Z/);
    },
  );

  it("accepts both ends of the range and keeps the quoted input short", () => {
    expect(iso(parseTime("0001-01-01T00:00:00Z", NOW))).toBe("0001-01-01T00:00:00.000Z");
    expect(iso(parseTime("9999-12-31T23:59:59.999Z", NOW))).toBe("9999-12-31T23:59:59.999Z");
    expect(iso(parseTime("253402300799999", NOW))).toBe("9999-12-31T23:59:59.999Z");
    expect(() => parseTime("253402300800000", NOW)).toThrow(/out of range/);
    expect(() => parseTime("9".repeat(200), NOW)).toThrow(new RegExp(`^'9{64}…' is out of range`));
  });
});
