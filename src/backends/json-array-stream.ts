/**
 * Incremental reading of `{ ..., "<key>": [ element, element, ... ], ... }` bodies: bytes go in as
 * they arrive, each element of the array at `key` is parsed on its own (JSON.parse of its bytes)
 * and handed to a callback, then dropped, so a large answer never exists as one string, one parse
 * and its mapped copy at once. The other top-level members are small (Jaeger's total, limit,
 * errors) and parsed whole. A body whose top level is not an object is buffered and parsed whole,
 * so the caller can describe it as before.
 *
 * The scanner only tracks structure (depth, strings, escapes) between elements and validates the
 * punctuation around them; JSON.parse validates every captured piece. Multi-byte UTF-8 is never
 * split: pieces are cut at ASCII structural bytes and decoded whole.
 */

export class JsonSyntaxError extends Error {
  override name = "JsonSyntaxError";
}

export type StreamedJson =
  /** The top level was an object: its members (the streamed key left out) and what the key held. */
  | { kind: "object"; members: Record<string, unknown>; streamed: "array" | "absent" | { other: unknown } }
  /** The top level was not an object (or the body was empty: value undefined). */
  | { kind: "value"; value: unknown };

const enum S {
  Start,
  Whole,
  KeyOrEnd,
  Key,
  Colon,
  Value,
  Capture,
  AfterValue,
  ElemOrEnd,
  AfterElem,
  Done,
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

const isSpace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/** What is being captured, and where it goes when complete. */
type Target = "key" | "member" | "element";

export class JsonArrayStream {
  private state: S = S.Start;
  private pieces: Buffer[] = [];
  private target: Target = "member";
  // Capture of one value: nesting depth, inside a string, after a backslash, a bare scalar.
  private depth = 0;
  private inString = false;
  private escaped = false;
  private scalar = false;
  private key = "";
  private streamedSeen = false;
  /** After a comma, an element (or key) must follow: `[1,]` and `{"a":1,}` are invalid. */
  private mustFollow = false;
  private readonly members: Record<string, unknown> = {};
  private streamed: "array" | "absent" | { other: unknown } = "absent";
  private offset = 0;

  constructor(
    private readonly streamKey: string,
    private readonly onElement: (value: unknown) => void,
  ) {}

  push(chunk: Buffer): void {
    const n = chunk.length;
    let i = 0;
    let captureStart = -1;
    if (this.state === S.Capture) captureStart = 0;
    while (i < n) {
      const b = chunk[i]!;
      switch (this.state) {
        case S.Start:
          if (isSpace(b)) break;
          if (b === OPEN_OBJ) {
            this.state = S.KeyOrEnd;
            break;
          }
          this.state = S.Whole;
          this.pieces.push(chunk.subarray(i));
          i = n;
          continue;
        case S.Whole:
          this.pieces.push(chunk.subarray(i));
          i = n;
          continue;
        case S.KeyOrEnd:
          if (isSpace(b)) break;
          if (b === CLOSE_OBJ && !this.mustFollow) {
            this.state = S.Done;
            break;
          }
          if (b !== QUOTE) this.fail(`expected a member name or '}'`);
          this.beginCapture("key", false);
          this.inString = true;
          captureStart = i;
          this.state = S.Capture;
          break;
        case S.Colon:
          if (isSpace(b)) break;
          if (b !== COLON) this.fail("expected ':'");
          this.state = S.Value;
          break;
        case S.Value:
          if (isSpace(b)) break;
          if (this.key === this.streamKey && !this.streamedSeen && b === OPEN_ARR) {
            this.streamedSeen = true;
            this.streamed = "array";
            this.mustFollow = false;
            this.state = S.ElemOrEnd;
            break;
          }
          this.beginCapture("member", false);
          this.startValue(b);
          captureStart = i;
          this.state = S.Capture;
          break;
        case S.ElemOrEnd:
          if (isSpace(b)) break;
          if (b === CLOSE_ARR && !this.mustFollow) {
            this.state = S.AfterValue;
            break;
          }
          this.beginCapture("element", false);
          this.startValue(b);
          captureStart = i;
          this.state = S.Capture;
          break;
        case S.AfterElem:
          if (isSpace(b)) break;
          if (b === COMMA) {
            this.mustFollow = true;
            this.state = S.ElemOrEnd;
          } else if (b === CLOSE_ARR) {
            this.state = S.AfterValue;
          } else this.fail("expected ',' or ']' after an element");
          break;
        case S.AfterValue:
          if (isSpace(b)) break;
          if (b === COMMA) {
            this.mustFollow = true;
            this.state = S.KeyOrEnd;
          } else if (b === CLOSE_OBJ) this.state = S.Done;
          else this.fail("expected ',' or '}' after a member");
          break;
        case S.Done:
          if (!isSpace(b)) this.fail("unexpected data after the end of the JSON value");
          break;
        case S.Capture: {
          // A capture's first byte was read by startValue (or is the key's opening quote).
          if (this.inString) {
            if (this.escaped) this.escaped = false;
            else if (b === BACKSLASH) this.escaped = true;
            else if (b === QUOTE) {
              this.inString = false;
              if (this.depth === 0 && !this.scalar) {
                this.finishCapture(chunk.subarray(captureStart, i + 1));
                captureStart = -1;
              }
            }
            break;
          }
          if (this.scalar) {
            if (b === COMMA || b === CLOSE_OBJ || b === CLOSE_ARR || isSpace(b)) {
              this.finishCapture(chunk.subarray(captureStart, i));
              captureStart = -1;
              // Re-read this byte in the state that follows the value.
              continue;
            }
            break;
          }
          if (b === QUOTE) this.inString = true;
          else if (b === OPEN_OBJ || b === OPEN_ARR) this.depth++;
          else if (b === CLOSE_OBJ || b === CLOSE_ARR) {
            this.depth--;
            if (this.depth === 0) {
              this.finishCapture(chunk.subarray(captureStart, i + 1));
              captureStart = -1;
            }
          }
          break;
        }
      }
      i++;
    }
    if (this.state === S.Capture && captureStart >= 0) this.pieces.push(chunk.subarray(captureStart));
    this.offset += n;
  }

  /** Call once the body has ended. Throws JsonSyntaxError for a truncated or malformed body. */
  end(): StreamedJson {
    if (this.state === S.Start) return { kind: "value", value: undefined };
    if (this.state === S.Whole) {
      const text = Buffer.concat(this.pieces).toString("utf8");
      this.pieces = [];
      return { kind: "value", value: parse(text) };
    }
    if (this.state !== S.Done) this.fail("unexpected end of JSON input");
    return { kind: "object", members: this.members, streamed: this.streamed };
  }

  private beginCapture(target: Target, scalar: boolean): void {
    this.target = target;
    this.pieces = [];
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.scalar = scalar;
  }

  /** Sets the capture mode from a value's first byte (already part of the capture). */
  private startValue(b: number): void {
    if (b === OPEN_OBJ || b === OPEN_ARR) this.depth = 1;
    else if (b === QUOTE) this.inString = true;
    else if (b === CLOSE_OBJ || b === CLOSE_ARR || b === COMMA || b === COLON) this.fail("expected a value");
    else this.scalar = true;
    // A one-byte scalar (`1`) ends at the next delimiter, which the loop sees next.
  }

  private finishCapture(last: Buffer): void {
    this.pieces.push(last);
    const text = (this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces)).toString("utf8");
    this.pieces = [];
    const value = parse(text);
    this.mustFollow = false;
    if (this.target === "key") {
      this.key = value as string;
      this.state = S.Colon;
    } else if (this.target === "element") {
      this.state = S.AfterElem;
      this.onElement(value);
    } else {
      this.state = S.AfterValue;
      if (this.key === this.streamKey && !this.streamedSeen) {
        this.streamedSeen = true;
        this.streamed = { other: value };
      } else if (this.key !== this.streamKey) this.members[this.key] = value;
    }
  }

  private fail(why: string): never {
    throw new JsonSyntaxError(`${why} (near byte ${this.offset})`);
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new JsonSyntaxError((err as Error).message);
  }
}
