/**
 * A Bloom filter over a segment's trace ids, so getTrace opens only the segments that may hold
 * the trace (about 1% false positives) instead of every segment in the store.
 */
const BITS_PER_ITEM = 10;
const HASHES = 7;

/** FNV-1a, 32-bit, with a seed; two seeds give the double-hashing pair. */
function fnv1a(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export interface BloomJson {
  bits: number;
  hashes: number;
  /** base64 of the bit array. */
  data: string;
}

export class Bloom {
  private constructor(
    private readonly bitCount: number,
    private readonly hashes: number,
    private readonly bytes: Uint8Array,
  ) {}

  static forItems(items: readonly string[]): Bloom {
    const bitCount = Math.max(64, Math.ceil(items.length * BITS_PER_ITEM));
    const bloom = new Bloom(bitCount, HASHES, new Uint8Array(Math.ceil(bitCount / 8)));
    for (const item of items) bloom.add(item);
    return bloom;
  }

  static fromJSON(json: BloomJson): Bloom {
    return new Bloom(json.bits, json.hashes, new Uint8Array(Buffer.from(json.data, "base64")));
  }

  toJSON(): BloomJson {
    return { bits: this.bitCount, hashes: this.hashes, data: Buffer.from(this.bytes).toString("base64") };
  }

  private positions(item: string): number[] {
    const h1 = fnv1a(item, 0);
    const h2 = fnv1a(item, 0x9e3779b9) | 1;
    const out: number[] = [];
    for (let i = 0; i < this.hashes; i++) out.push(((h1 + Math.imul(i, h2)) >>> 0) % this.bitCount);
    return out;
  }

  add(item: string): void {
    for (const p of this.positions(item)) this.bytes[p >> 3]! |= 1 << (p & 7);
  }

  mayContain(item: string): boolean {
    return this.positions(item).every((p) => (this.bytes[p >> 3]! & (1 << (p & 7))) !== 0);
  }
}
