/**
 * Time input and output. Inputs: ISO 8601 (extended or basic; a value without an offset is UTC),
 * plus forgiving forms: "now", relative durations ("1h", "30m", "7d" meaning that long ago),
 * "now-2h" / "now+5m", and epoch seconds (up to 10 digits) or milliseconds (more). Exactly eight digits
 * are a basic ISO date (YYYYMMDD), as Python reads them. Outputs: ISO 8601 with "Z".
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

/*
 * ISO 8601 as Python's datetime.fromisoformat (3.11+) accepts it: a calendar date (YYYY-MM-DD or
 * YYYYMMDD) or an ISO week date (YYYY-Www[-D] or YYYYWww[D]), optionally followed by 'T', 't' or a
 * space and a time (HH[:MM[:SS[.f...]]] or HHMMSS[.f...]), optionally followed by Z or an offset
 * (+HH, +HHMM, +HH:MM, +HH:MM:SS). Extended and basic forms may be mixed, as Python allows.
 */
const DATE_FORMS: ReadonlyArray<{ re: RegExp; week: boolean }> = [
  { re: /^(\d{4})-W(\d{2})(?:-(\d))?/, week: true },
  { re: /^(\d{4})W(\d{2})(\d)?/, week: true },
  { re: /^(\d{4})-(\d{2})-(\d{2})/, week: false },
  { re: /^(\d{4})(\d{2})(\d{2})/, week: false },
];
const TIME_EXTENDED = /^(\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?/;
const TIME_BASIC = /^(\d{2})(?:(\d{2})(?:(\d{2})(?:[.,](\d+))?)?)?/;
const OFFSET = /^\s*(?:(Z)|([+-])(\d{2})(?::?(\d{2})(?::?(\d{2}))?)?)$/i;

export class TimeParseError extends Error {}

/** The range a time may take: years 1 to 9999, as ISO 8601 (and Python's datetime) write them. */
export const MIN_TIME_MS = -62_135_596_800_000;
export const MAX_TIME_MS = 253_402_300_799_999;
const RANGE_TEXT = "0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z";

const DAY_MS = 86_400_000;

/** Epoch ms of a UTC calendar date; setUTCFullYear keeps years 1-99 literal (Date.UTC maps them to 19xx). */
function utcDate(year: number, monthIndex: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, monthIndex, day);
  return d.getTime();
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcDate(year, month, 0)).getUTCDate();
}

/** Epoch ms of the start of an ISO week date (Monday = 1). */
function weekDate(raw: string, year: number, week: number, weekday: number): number {
  if (week < 1 || week > 53 || weekday < 1 || weekday > 7) {
    throw new TimeParseError(`'${raw}' is not a valid date: week must be 01-53 and weekday 1-7`);
  }
  const jan4 = utcDate(year, 0, 4);
  const mondayOfWeek1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
  // A week belongs to the ISO year that holds its Thursday; week 53 exists only in some years.
  const thursday = mondayOfWeek1 + ((week - 1) * 7 + 3) * DAY_MS;
  if (new Date(thursday).getUTCFullYear() !== year) {
    throw new TimeParseError(`'${raw}' is not a valid date: ${year} has no week ${week}`);
  }
  return mondayOfWeek1 + ((week - 1) * 7 + (weekday - 1)) * DAY_MS;
}

/** Epoch ms of an ISO 8601 string, undefined when it does not look like one at all. */
function parseIso(raw: string): number | undefined {
  const form = DATE_FORMS.map((f) => ({ f, m: f.re.exec(raw) })).find((x) => x.m !== null);
  if (!form || !form.m) return undefined;
  const [, y, a, b] = form.m;
  const year = Number(y);
  if (year < 1) throw new TimeParseError(`'${raw}' is not a valid date: year 0 is out of range`);
  let dayMs: number;
  if (form.f.week) {
    dayMs = weekDate(raw, year, Number(a), b === undefined ? 1 : Number(b));
  } else {
    const month = Number(a);
    const day = Number(b);
    if (month < 1 || month > 12) throw new TimeParseError(`'${raw}' is not a valid date: month must be in 1..12`);
    if (day < 1 || day > daysInMonth(year, month)) {
      throw new TimeParseError(`'${raw}' is not a valid date: day is out of range for month`);
    }
    dayMs = utcDate(year, month - 1, day);
  }

  let rest = raw.slice(form.m[0].length);
  let timeMs = 0;
  if (/^[Tt ]\d/.test(rest)) {
    const timePart = rest.slice(1);
    const t = (/^\d{2}:/.test(timePart) ? TIME_EXTENDED : TIME_BASIC).exec(timePart);
    if (!t) return undefined;
    const [, h, mi = "0", s = "0", frac = ""] = t;
    const hour = Number(h);
    const minute = Number(mi);
    const second = Number(s);
    if (hour > 23) throw new TimeParseError(`'${raw}' is not a valid time: hour must be in 0..23`);
    if (minute > 59) throw new TimeParseError(`'${raw}' is not a valid time: minute must be in 0..59`);
    if (second > 59) throw new TimeParseError(`'${raw}' is not a valid time: second must be in 0..59`);
    // Milliseconds are all a query bound needs; further digits are truncated (Python keeps 6).
    timeMs = ((hour * 60 + minute) * 60 + second) * 1000 + Number((frac + "000").slice(0, 3));
    rest = timePart.slice(t[0].length);
  }

  let offsetMs = 0;
  if (rest !== "") {
    const o = OFFSET.exec(rest);
    if (!o) return undefined;
    if (!o[1]) {
      const [, , sign, oh, om = "0", os = "0"] = o;
      const hours = Number(oh);
      const minutes = Number(om);
      const seconds = Number(os);
      if (hours > 23 || minutes > 59 || seconds > 59) {
        throw new TimeParseError(`'${raw}' has an invalid UTC offset: it must be less than 24 hours`);
      }
      offsetMs = (sign === "-" ? -1 : 1) * ((hours * 60 + minutes) * 60 + seconds) * 1000;
    }
  }
  return dayMs + timeMs - offsetMs;
}

/**
 * Parses a time expression to epoch milliseconds. `now` is injectable for tests.
 * Throws TimeParseError with a message listing the accepted forms.
 */
export function parseTime(input: string, now: number = Date.now()): number {
  const raw = input.trim();
  if (raw === "") throw new TimeParseError("empty value");
  const ms = parseTimeUnchecked(raw, now);
  // Huge epochs or offsets ("99999999999999999999", "now+99999999999d") would fail later, far from the input.
  if (!Number.isFinite(ms) || ms < MIN_TIME_MS || ms > MAX_TIME_MS) {
    const shown = raw.length > 64 ? `${raw.slice(0, 64)}…` : raw;
    throw new TimeParseError(`'${shown}' is out of range: times must be between ${RANGE_TEXT}`);
  }
  return ms;
}

function parseTimeUnchecked(raw: string, now: number): number {
  if (/^now$/i.test(raw)) return now;
  const rel = RELATIVE.exec(raw);
  if (rel) {
    const [, sign, amount, unit] = rel;
    // Whole milliseconds: "1.5ms" must not produce a fractional epoch bound.
    const delta = Math.round(Number(amount) * UNIT_MS[unit!.toLowerCase()]!);
    // A bare "1h" means one hour ago; "now+1h" is the only way forward in time.
    return sign === "+" ? now + delta : now - delta;
  }
  // Eight digits are a basic ISO date (20250115), as in Python; epoch seconds that short would be 1970-1973.
  if (/^\d+(\.\d+)?$/.test(raw) && !/^\d{8}$/.test(raw)) {
    const n = Number(raw);
    // 10 digits or fewer: seconds; more: milliseconds (covers dates until 2286).
    return raw.split(".")[0]!.length > 10 ? Math.trunc(n) : Math.trunc(n * 1000);
  }
  const iso = parseIso(raw);
  if (iso !== undefined) return iso;
  throw new TimeParseError(
    `Invalid isoformat string: '${raw}'. Use ISO 8601 (e.g. 2025-01-15T10:00:00Z; no offset means UTC), ` +
      `a relative time (1h, 30m, 7d, now-2h) or epoch seconds/milliseconds`,
  );
}

/** ISO 8601 in UTC with "Z"; fractional seconds (6 digits) only when non-zero, like Python. */
export function formatTimeUs(epochUs: number): string {
  const us = Math.trunc(epochUs);
  const ms = Math.floor(us / 1000);
  const base = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ (±YYYYYY outside years 0-9999)
  const micros = ((us % 1_000_000) + 1_000_000) % 1_000_000;
  const head = base.slice(0, -5);
  return micros === 0 ? `${head}Z` : `${head}.${String(micros).padStart(6, "0")}Z`;
}

export function formatTimeMs(epochMs: number): string {
  return formatTimeUs(Math.round(epochMs * 1000));
}
