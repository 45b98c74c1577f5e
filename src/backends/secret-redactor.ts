/**
 * Keeps the credentials we send out of what we report. Backends and gateways echo request
 * headers into error bodies, sometimes escaped for JSON or a URL, sometimes cut to a length of
 * their own; so besides whole values (and those encodings) every run of characters long enough to
 * matter from a long secret is masked too. Callers redact whole texts and only then cut them.
 */
export const REDACTED = "[redacted]";

/** Shorter values are not treated as secrets (they would mask ordinary words). */
const MIN_SECRET_CHARS = 4;
/** Secrets at least this long also have their fragments masked. */
const MIN_FRAGMENT_SECRET_CHARS = 12;
/** Longest fragment size: 8 characters of a random token is already far from guessable. */
const MAX_FRAGMENT_CHARS = 8;

/**
 * The secret parts of one header value: the value itself and, for "<scheme> <credential>"
 * (Bearer, Basic, Token...), the credential alone.
 */
export function headerSecrets(value: string): string[] {
  const v = value.trim();
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*\s+(\S.*)$/.exec(v);
  return scheme ? [v, scheme[1]!.trim()] : [v];
}

/** The forms a value takes when a backend echoes it inside JSON or a URL. */
function encodings(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const uri = encodeURIComponent(value);
  return [value, json, uri, uri.replace(/%20/g, "+")];
}

export class SecretRedactor {
  private readonly whole: string[];
  /** Fragment size -> every fragment of that size of the long secrets. */
  private readonly fragments = new Map<number, Set<string>>();

  constructor(secrets: Iterable<string>) {
    const cores = [...new Set([...secrets].filter((s) => s.length >= MIN_SECRET_CHARS))];
    // Longest first, so a value is replaced before any secret it contains.
    this.whole = [...new Set(cores.flatMap(encodings))].sort((a, b) => b.length - a.length);
    for (const s of cores) {
      if (s.length < MIN_FRAGMENT_SECRET_CHARS) continue;
      // Under half the secret stays visible at most: a key cannot be rebuilt from what is left.
      const size = Math.min(MAX_FRAGMENT_CHARS, Math.ceil(s.length / 2));
      const set = this.fragments.get(size) ?? new Set<string>();
      for (let i = 0; i + size <= s.length; i++) set.add(s.slice(i, i + size));
      this.fragments.set(size, set);
    }
  }

  get empty(): boolean {
    return this.whole.length === 0;
  }

  redact(text: string): string {
    if (this.empty || text === "") return text;
    let out = text;
    for (const s of this.whole) if (out.includes(s)) out = out.split(s).join(REDACTED);
    for (const [size, set] of this.fragments) out = maskFragments(out, size, set);
    return out;
  }
}

/** Replaces every maximal run covered by fragments in `set` (all of length `size`) with one marker. */
function maskFragments(text: string, size: number, set: ReadonlySet<string>): string {
  let covered: Uint8Array | undefined;
  for (let i = 0; i + size <= text.length; i++) {
    if (set.has(text.slice(i, i + size))) (covered ??= new Uint8Array(text.length)).fill(1, i, i + size);
  }
  if (!covered) return text;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    if (!covered[i]) out += text[i];
    else if (i === 0 || !covered[i - 1]) out += REDACTED;
  }
  return out;
}
