/**
 * Hand-written candidate finders for the rules whose regex would have to try every position of a
 * string: they jump to a rare character with indexOf (an "@", a ":" or "=") and look around it.
 * Each returns matches shaped like RegExpExecArray (index, [0] the whole match, then groups), so
 * the rules' accept/render functions work on them unchanged. Equivalent regexes are in the comments.
 */

function match(s: string, start: number, end: number, groups: Array<string | undefined>): RegExpExecArray {
  const m = [s.slice(start, end), ...groups] as unknown as RegExpExecArray;
  m.index = start;
  return m;
}

// Character tests on char codes: a regex .test() per character costs more than the search itself.
const isAlnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** \w */
const isWord = (c: number): boolean => isAlnum(c) || c === 95;
/** [A-Za-z0-9._%+-] */
const isEmailLocal = (c: number): boolean => isWord(c) || c === 46 || c === 37 || c === 43 || c === 45;
/** [A-Za-z0-9_-] */
const isNameChar = (c: number): boolean => isWord(c) || c === 45;
/** [0-9A-Fa-f:.] */
const isIpv6Char = (c: number): boolean => (c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 46;

const EMAIL_DOMAIN = /(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24})(?![\w-])/y;

/**
 * (?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@<domain>, found from each "@" outwards.
 * Groups: [1] domain, [2] top-level domain.
 */
export function findEmails(s: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  for (let at = s.indexOf("@"); at !== -1; at = s.indexOf("@", at + 1)) {
    let start = at;
    while (start > 0 && at - start < 65 && isEmailLocal(s.charCodeAt(start - 1))) start--;
    if (start === at || at - start > 64 || !isAlnum(s.charCodeAt(start))) continue;
    EMAIL_DOMAIN.lastIndex = at + 1;
    const d = EMAIL_DOMAIN.exec(s);
    if (!d) continue;
    out.push(match(s, start, d.index + d[0].length, [d[0], d[1]]));
    at = d.index + d[0].length - 1;
  }
  return out;
}

/** Names whose `name=value` / `name: value` pairs are credentials (lower case, `-` read as `_`). */
export const PAIR_NAMES: ReadonlySet<string> = new Set([
  "password",
  "passwd",
  "pwd",
  "passphrase",
  "secret",
  "client_secret",
  "clientsecret",
  "api_key",
  "apikey",
  "x_api_key",
  "access_token",
  "accesstoken",
  "refresh_token",
  "refreshtoken",
  "auth_token",
  "authtoken",
  "private_key",
  "privatekey",
  "account_key",
  "accountkey",
  "shared_access_key",
  "sharedaccesskey",
]);

/** Query parameters that carry credentials: `?token=`, `&sig=`, … */
export const QUERY_NAMES: ReadonlySet<string> = new Set(["token", "access_token", "api_token", "sig", "signature", "key"]);

const BARE_VALUE = /[^\s&;,"'}\])]+/y;
const QUERY_VALUE = /[^\s&#;"'<>]+/y;

/** The run of name characters that ends right before `end`. */
function nameBefore(s: string, end: number): number {
  let start = end;
  while (start > 0 && end - start < 40 && isNameChar(s.charCodeAt(start - 1))) start--;
  return start;
}

/**
 * (?<![\w-])(["']?)(<pair name>)\1(\s*[=:]\s*)(?:"([^"\r\n]*)"|'([^'\r\n]*)'|([^\s&;,"'}\])]+)), case-insensitive,
 * found from each ":" and "=". Groups: [1] quote, [2] name, [3] separator with spaces, [4] "value", [5] 'value', [6] bare value.
 */
export function findPairs(s: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  let colon = s.indexOf(":");
  let equals = s.indexOf("=");
  let from = 0;
  while (colon !== -1 || equals !== -1) {
    // The next separator at or after `from`, whichever comes first.
    if (colon !== -1 && colon < from) colon = s.indexOf(":", from);
    if (equals !== -1 && equals < from) equals = s.indexOf("=", from);
    if (colon === -1 && equals === -1) break;
    const at = colon === -1 ? equals : equals === -1 ? colon : Math.min(colon, equals);
    from = at + 1;
    let nameEnd = at;
    while (nameEnd > 0 && (s[nameEnd - 1] === " " || s[nameEnd - 1] === "\t")) nameEnd--;
    const quote = s[nameEnd - 1] === '"' || s[nameEnd - 1] === "'" ? s[nameEnd - 1]! : "";
    if (quote) nameEnd--;
    const nameStart = nameBefore(s, nameEnd);
    // Pair names are 3 (pwd) to 17 (shared_access_key) characters: test the length before building a lower-case copy.
    if (nameEnd - nameStart < 3 || nameEnd - nameStart > 17) continue;
    const name = s.slice(nameStart, nameEnd);
    if (!PAIR_NAMES.has(name.toLowerCase().replace(/-/g, "_"))) continue;
    let start = nameStart;
    if (quote) {
      if (s[start - 1] !== quote) continue;
      start--;
    }
    if (start > 0 && isNameChar(s.charCodeAt(start - 1))) continue;
    let valueStart = at + 1;
    while (s[valueStart] === " " || s[valueStart] === "\t") valueStart++;
    const sepText = s.slice(nameEnd + (quote ? 1 : 0), valueStart);
    const open = s[valueStart];
    let end: number;
    let groups: Array<string | undefined>;
    if (open === '"' || open === "'") {
      const close = s.indexOf(open, valueStart + 1);
      const newline = s.slice(valueStart + 1, close === -1 ? undefined : close).search(/[\r\n]/);
      if (close === -1 || newline !== -1) continue;
      const value = s.slice(valueStart + 1, close);
      end = close + 1;
      groups = [quote, name, sepText, open === '"' ? value : undefined, open === "'" ? value : undefined, undefined];
    } else {
      BARE_VALUE.lastIndex = valueStart;
      const v = BARE_VALUE.exec(s);
      if (!v) continue;
      end = valueStart + v[0].length;
      groups = [quote, name, sepText, undefined, undefined, v[0]];
    }
    out.push(match(s, start, end, groups));
    from = end;
  }
  return out;
}

/**
 * ([?&;](?:token|access_token|api_token|sig|signature|key)=)([^\s&#;"'<>]+), case-insensitive, found
 * from each "=". Groups: [1] the delimiter, name and "=", [2] the value.
 */
export function findQueryCredentials(s: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  for (let at = s.indexOf("="); at !== -1; at = s.indexOf("=", at + 1)) {
    const nameStart = nameBefore(s, at);
    const delimiter = s[nameStart - 1];
    if (delimiter !== "?" && delimiter !== "&" && delimiter !== ";") continue;
    if (!QUERY_NAMES.has(s.slice(nameStart, at).toLowerCase())) continue;
    QUERY_VALUE.lastIndex = at + 1;
    const v = QUERY_VALUE.exec(s);
    if (!v) continue;
    const end = at + 1 + v[0].length;
    out.push(match(s, nameStart - 1, end, [s.slice(nameStart - 1, at + 1), v[0]]));
    at = end - 1;
  }
  return out;
}


/**
 * IPv6 candidates: the maximal run of hex digits, colons and dots around each ":" with at least two
 * colons, not touching a word character or another colon-word ((?<![\w:.]) … (?![\w:]|\.\d)); a
 * trailing "." is punctuation. The rule validates each with node:net.
 */
export function findIpv6(s: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  for (let colon = s.indexOf(":"); colon !== -1; colon = s.indexOf(":", colon + 1)) {
    let start = colon;
    while (start > 0 && isIpv6Char(s.charCodeAt(start - 1))) start--;
    let end = colon + 1;
    while (end < s.length && isIpv6Char(s.charCodeAt(end))) end++;
    const next = end;
    while (end > start && s[end - 1] === ".") end--;
    colon = next - 1;
    if (start > 0 && isWord(s.charCodeAt(start - 1))) continue;
    if (next < s.length && isWord(s.charCodeAt(next))) continue;
    let colons = 0;
    for (let i = start; i < end; i++) if (s[i] === ":") colons++;
    if (colons < 2) continue;
    out.push(match(s, start, end, []));
  }
  return out;
}
