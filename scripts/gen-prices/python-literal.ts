/**
 * Reads the price data that the genai-prices wheel ships as Python source (`genai_prices/data.py`,
 * written by their `make package-data`) and turns it into the JSON shape of their v2 `data.json`.
 *
 * Why a parser and not Python: the wheel is the registry artefact of a version, but its data is a
 * Python expression (`providers: list[Provider] = [Provider(id='openai', ...), ...]`) and loading it
 * needs pydantic and httpx2 installed. The file is machine-generated, so its grammar is small:
 * calls with keyword arguments, lists, dicts, strings, numbers, True/False/None, dotted names
 * (`datetime.UTC`). Anything else is an error naming the line, so a format change upstream fails
 * the generator loudly instead of producing a wrong table.
 */

export type PyValue =
  | string
  | number
  | boolean
  | null
  | PyValue[]
  | { readonly kind: "call"; readonly name: string; readonly args: PyValue[]; readonly kwargs: Record<string, PyValue> }
  | { readonly kind: "name"; readonly name: string }
  | { readonly kind: "dict"; readonly entries: Array<[PyValue, PyValue]> };

type Token =
  | { t: "str"; v: string; line: number }
  | { t: "num"; v: number; line: number }
  | { t: "name"; v: string; line: number }
  | { t: "op"; v: string; line: number };

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  n: "\n",
  t: "\t",
  r: "\r",
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
  "0": "\0",
};

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  const fail = (why: string): never => {
    throw new Error(`data.py line ${line}: ${why}`);
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === "\n") {
      line++;
      i++;
    } else if (c === " " || c === "\t" || c === "\r") {
      i++;
    } else if (c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (c === "\\" && src[i + 1] === "\n") {
      i += 2;
      line++;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[A-Za-z0-9_]/.test(src[j]!)) j++;
      const word = src.slice(i, j);
      const quote = src[j];
      if ((quote === "'" || quote === '"') && /^[rRuUbBfF]{1,2}$/.test(word)) {
        if (/[bBfF]/.test(word)) fail(`unsupported string prefix ${word}`);
        i = j;
        const s = readString(/[rR]/.test(word));
        out.push({ t: "str", v: s, line });
      } else {
        out.push({ t: "name", v: word, line });
        i = j;
      }
    } else if (c === "'" || c === '"') {
      out.push({ t: "str", v: readString(false), line });
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(src[i + 1] ?? ""))) {
      const m = /^(?:\d[\d_]*)?(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?/.exec(src.slice(i))!;
      out.push({ t: "num", v: Number(m[0].replaceAll("_", "")), line });
      i += m[0].length;
    } else if ("()[]{},:=.-+*|".includes(c)) {
      out.push({ t: "op", v: c, line });
      i++;
    } else {
      fail(`unexpected character ${JSON.stringify(c)}`);
    }
  }
  return out;

  function readString(raw: boolean): string {
    const quote = src[i]!;
    if (src.startsWith(quote.repeat(3), i)) {
      const end = src.indexOf(quote.repeat(3), i + 3);
      if (end < 0) fail("unterminated triple-quoted string");
      const body = src.slice(i + 3, end);
      line += body.split("\n").length - 1;
      i = end + 3;
      return raw ? body : unescape(body);
    }
    let j = i + 1;
    let body = "";
    while (j < src.length && src[j] !== quote) {
      if (src[j] === "\n") fail("newline in a string literal");
      if (src[j] === "\\") {
        body += src.slice(j, j + 2);
        j += 2;
      } else {
        body += src[j];
        j++;
      }
    }
    if (j >= src.length) fail("unterminated string literal");
    i = j + 1;
    return raw ? body : unescape(body);
  }

  function unescape(body: string): string {
    return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\}|[\s\S])/g, (whole, e: string) => {
      if (e in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[e]!;
      if (e === "\n") return "";
      if (/^[xuU]/.test(e) && e.length > 1) return String.fromCodePoint(Number.parseInt(e.slice(1), 16));
      if (e.startsWith("N{")) return fail(`unsupported escape ${whole}`);
      // Python keeps the backslash of an unknown escape ("\d" is backslash + d).
      return whole;
    });
  }
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  private fail(why: string): never {
    const tok = this.peek() ?? this.tokens[this.tokens.length - 1];
    throw new Error(`data.py line ${tok?.line ?? "?"}: ${why}`);
  }

  private isOp(v: string, offset = 0): boolean {
    const tok = this.peek(offset);
    return tok?.t === "op" && tok.v === v;
  }

  private expectOp(v: string): void {
    if (!this.isOp(v)) this.fail(`expected '${v}', found ${JSON.stringify(this.peek()?.v ?? "end of file")}`);
    this.pos++;
  }

  /** Positions the parser just after `<name> ... =` at the top level (an assignment, maybe annotated). */
  seekAssignment(name: string): void {
    let depth = 0;
    for (let k = 0; k < this.tokens.length; k++) {
      const tok = this.tokens[k]!;
      if (tok.t === "op" && "([{".includes(tok.v)) depth++;
      else if (tok.t === "op" && ")]}".includes(tok.v)) depth--;
      else if (depth === 0 && tok.t === "name" && tok.v === name) {
        const prev = this.tokens[k - 1];
        if (prev && prev.t === "op" && prev.v === ".") continue;
        // Skip an annotation (`: list[Provider]`) up to the '=' at this depth.
        let j = k + 1;
        let d = 0;
        for (; j < this.tokens.length; j++) {
          const t = this.tokens[j]!;
          if (t.t === "op" && "([{".includes(t.v)) d++;
          else if (t.t === "op" && ")]}".includes(t.v)) d--;
          else if (d === 0 && t.t === "op" && t.v === "=") break;
        }
        if (j < this.tokens.length) {
          this.pos = j + 1;
          return;
        }
      }
    }
    throw new Error(`data.py: no top-level assignment to '${name}'`);
  }

  value(): PyValue {
    const tok = this.peek();
    if (!tok) return this.fail("unexpected end of file");
    if (tok.t === "str") {
      // Adjacent literals concatenate, as in Python.
      let s = "";
      while (this.peek()?.t === "str") s += (this.tokens[this.pos++] as { v: string }).v;
      return s;
    }
    if (tok.t === "num") {
      this.pos++;
      return tok.v;
    }
    if (tok.t === "op" && (tok.v === "-" || tok.v === "+")) {
      this.pos++;
      const n = this.value();
      if (typeof n !== "number") this.fail("expected a number after a sign");
      return tok.v === "-" ? -n : n;
    }
    if (tok.t === "op" && tok.v === "[") return this.list("[", "]");
    if (tok.t === "op" && tok.v === "(") {
      this.pos++;
      const inner = this.value();
      if (this.isOp(",")) this.fail("tuples are not part of the price data");
      this.expectOp(")");
      return inner;
    }
    if (tok.t === "op" && tok.v === "{") return this.dict();
    if (tok.t === "name") {
      if (tok.v === "True" || tok.v === "False") {
        this.pos++;
        return tok.v === "True";
      }
      if (tok.v === "None") {
        this.pos++;
        return null;
      }
      let name = tok.v;
      this.pos++;
      while (this.isOp(".") && this.peek(1)?.t === "name") {
        name += `.${(this.peek(1) as { v: string }).v}`;
        this.pos += 2;
      }
      if (this.isOp("(")) return this.call(name);
      return { kind: "name", name };
    }
    return this.fail(`unexpected ${JSON.stringify(tok.v)}`);
  }

  private list(open: string, close: string): PyValue[] {
    this.expectOp(open);
    const items: PyValue[] = [];
    while (!this.isOp(close)) {
      items.push(this.value());
      if (!this.isOp(",")) break;
      this.pos++;
    }
    this.expectOp(close);
    return items;
  }

  private dict(): PyValue {
    this.expectOp("{");
    const entries: Array<[PyValue, PyValue]> = [];
    while (!this.isOp("}")) {
      const key = this.value();
      this.expectOp(":");
      entries.push([key, this.value()]);
      if (!this.isOp(",")) break;
      this.pos++;
    }
    this.expectOp("}");
    return { kind: "dict", entries };
  }

  private call(name: string): PyValue {
    this.expectOp("(");
    const args: PyValue[] = [];
    const kwargs: Record<string, PyValue> = {};
    while (!this.isOp(")")) {
      const tok = this.peek();
      if (tok?.t === "name" && this.isOp("=", 1)) {
        this.pos += 2;
        if (tok.v in kwargs) this.fail(`${name}: keyword ${tok.v} given twice`);
        kwargs[tok.v] = this.value();
      } else {
        if (Object.keys(kwargs).length > 0) this.fail(`${name}: positional argument after a keyword argument`);
        args.push(this.value());
      }
      if (!this.isOp(",")) break;
      this.pos++;
    }
    this.expectOp(")");
    return { kind: "call", name, args, kwargs };
  }
}

/** Parses the expression assigned to `name` at the top level of a Python module. */
export function parsePythonAssignment(src: string, name: string): PyValue {
  const parser = new Parser(tokenize(src));
  parser.seekAssignment(name);
  return parser.value();
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const CLAUSE_KEYS: Readonly<Record<string, string>> = {
  ClauseEquals: "equals",
  ClauseStartsWith: "starts_with",
  ClauseEndsWith: "ends_with",
  ClauseContains: "contains",
  ClauseRegex: "regex",
};

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

function intArgs(v: Extract<PyValue, { kind: "call" }>, min: number, max: number): number[] {
  const nums = v.args.map((a) => (typeof a === "number" && Number.isInteger(a) ? a : Number.NaN));
  if (nums.length < min || nums.length > max || nums.some(Number.isNaN)) {
    throw new Error(`data.py: ${v.name} expects ${min}-${max} integer arguments`);
  }
  return nums;
}

/**
 * Converts the parsed Python value to genai-prices' JSON shape (their `data.json`): dataclass calls
 * become objects of their keyword arguments, `or_`/`and_` become `or`/`and`, Decimal becomes a
 * number, dates become `YYYY-MM-DD` and times `HH:MM:SS` (+`Z` when tz-aware; the data only uses UTC).
 */
export function toGenaiJson(v: PyValue): Json {
  if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  if (Array.isArray(v)) return v.map(toGenaiJson);
  if (v.kind === "dict") {
    const out: Record<string, Json> = {};
    for (const [k, val] of v.entries) {
      if (typeof k !== "string") throw new Error("data.py: dict keys must be strings");
      out[k] = toGenaiJson(val);
    }
    return out;
  }
  if (v.kind === "name") return { $name: v.name };
  switch (v.name) {
    case "Decimal": {
      const [text] = v.args;
      const n = typeof text === "string" ? Number(text) : typeof text === "number" ? text : Number.NaN;
      if (v.args.length !== 1 || !Number.isFinite(n)) throw new Error(`data.py: bad Decimal(${JSON.stringify(text)})`);
      return n;
    }
    case "datetime.date":
    case "date": {
      const [y, m, d] = intArgs(v, 3, 3) as [number, number, number];
      return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
    }
    case "datetime.time":
    case "time": {
      const [h, m = 0, s = 0] = intArgs(v, 1, 3);
      const tz = v.kwargs.tzinfo;
      const utc = tz && typeof tz === "object" && !Array.isArray(tz) && tz.kind === "name" && /(^|\.)(UTC|utc)$/.test(tz.name);
      if (tz !== undefined && tz !== null && !utc) throw new Error("data.py: only UTC times are supported");
      return `${pad(h!)}:${pad(m)}:${pad(s)}${utc ? "Z" : ""}`;
    }
  }
  if (v.args.length > 0) throw new Error(`data.py: ${v.name}(...) with positional arguments is not expected in the price data`);
  const clauseKey = CLAUSE_KEYS[v.name];
  const out: Record<string, Json> = {};
  for (const [k, val] of Object.entries(v.kwargs)) {
    const key = clauseKey && k === clauseKey ? k : k === "or_" ? "or" : k === "and_" ? "and" : k;
    out[key] = toGenaiJson(val);
  }
  return out;
}
