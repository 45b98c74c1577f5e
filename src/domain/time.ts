/**
 * Time input and output. Inputs: ISO 8601 (extended or basic; a value without an offset is UTC),
 * plus forgiving forms: "now", relative durations ("1h", "30m", "7d" meaning that long ago),
 * "now-2h" / "now+5m", and epoch seconds or milliseconds. Outputs: ISO 8601 with "Z".
 */
const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const RELATIVE = /^(?:now\s*)?(?:([+-])\s*)?(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/i;
const ISO_EXTENDED =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(?:(\d{2})(?:(\d{2})(?:[.,](\d{1,9}))?)?)?)?(Z|[+-]\d{2}(?:\d{2})?)?$/i;

export class TimeParseError extends Error {}

function fromParts(m: RegExpMatchArray, raw: string): number {
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", tz] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    throw new TimeParseError(`'${raw}' has an out-of-range date or time field`);
  }
  const ms = Number((frac + "000").slice(0, 3));
  let epoch = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(epoch);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) {
    throw new TimeParseError(`'${raw}' is not a real calendar date`);
  }
  if (tz && tz.toUpperCase() !== "Z") {
    const sign = tz.startsWith("-") ? -1 : 1;
    const digits = tz.slice(1).replace(":", "");
    const offH = Number(digits.slice(0, 2));
    const offM = Number(digits.slice(2, 4) || "0");
    epoch -= sign * (offH * 60 + offM) * 60_000;
  }
  return epoch;
}

/**
 * Parses a time expression to epoch milliseconds. `now` is injectable for tests.
 * Throws TimeParseError with a message listing the accepted forms.
 */
export function parseTime(input: string, now: number = Date.now()): number {
  const raw = input.trim();
  if (raw === "") throw new TimeParseError("empty value");
  if (/^now$/i.test(raw)) return now;
  const rel = RELATIVE.exec(raw);
  if (rel) {
    const [, sign, amount, unit] = rel;
    const delta = Number(amount) * UNIT_MS[unit!.toLowerCase()]!;
    // A bare "1h" means one hour ago; "now+1h" is the only way forward in time.
    return sign === "+" ? now + delta : now - delta;
  }
  if (/^\d+(\.\d+)?$/.test(raw)) {
    const n = Number(raw);
    // 10 digits or fewer: seconds; more: milliseconds (covers dates until 2286).
    return raw.split(".")[0]!.length > 10 ? Math.trunc(n) : Math.trunc(n * 1000);
  }
  const m = ISO_EXTENDED.exec(raw) ?? ISO_BASIC.exec(raw);
  if (m) return fromParts(m, raw);
  throw new TimeParseError(
    `Invalid isoformat string: '${raw}'. Use ISO 8601 (e.g. 2025-01-15T10:00:00Z; no offset means UTC), ` +
      `a relative time (1h, 30m, 7d, now-2h) or epoch seconds/milliseconds`,
  );
}

/** ISO 8601 in UTC with "Z"; fractional seconds (6 digits) only when non-zero, like Python. */
export function formatTimeUs(epochUs: number): string {
  const us = Math.trunc(epochUs);
  const ms = Math.floor(us / 1000);
  const base = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const micros = ((us % 1_000_000) + 1_000_000) % 1_000_000;
  const head = base.slice(0, 19);
  return micros === 0 ? `${head}Z` : `${head}.${String(micros).padStart(6, "0")}Z`;
}

export function formatTimeMs(epochMs: number): string {
  return formatTimeUs(Math.round(epochMs * 1000));
}
