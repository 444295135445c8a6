/**
 * A tiny Bloom filter (512 bits, 3 hashes) for "has this agent ever used X": about 1% false "seen" at 40 items,
 * 88 characters serialised. False "seen" only ever hides novelty; it never invents it.
 *
 * Items are (kind, value) pairs: the kind (a small integer, e.g. 0 = action, 1 = resource type, 2 = tool) seeds
 * the hash, so no "kind:value" string is built. `testAndAdd` computes the bit positions once for both the test and
 * the insertion and allocates nothing.
 */
// Bound once: inside vm sandboxes (jest) every global lookup is slow, a module constant is not.
const { ceil, imul, max } = Math;

export const BLOOM_BYTES = 64;
const HASHES = 3;
const BITS = BLOOM_BYTES * 8;
const BIT_MASK = BITS - 1; // BITS is a power of two

/** Scratch for the two hashes (a typed array: storing uint32 values in plain variables would box them). */
const H = new Int32Array(2);

/** Two independent 32-bit FNV-1a style hashes of value, seeded by kind, in one pass; left in H[0], H[1]. */
function hashPair(kind: number, value: string): void {
  let a = (0x811c9dc5 ^ imul(kind + 1, 0x9e3779b1)) >>> 0;
  let b = (0x2545f491 ^ imul(kind + 1, 0x85ebca6b)) >>> 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    a = imul(a ^ c, 0x01000193);
    b = imul(b ^ c, 0x5bd1e995);
  }
  // Final avalanche so that short values still spread over all bits.
  a ^= a >>> 15;
  a = imul(a, 0x2c1b3c6d);
  a ^= a >>> 12;
  b ^= b >>> 13;
  b = imul(b, 0x297a2d39);
  b ^= b >>> 16;
  H[0] = a;
  H[1] = b | 1;
}

export class BloomSet {
  private constructor(private readonly bytes: Uint8Array) {}

  static empty(): BloomSet {
    return new BloomSet(new Uint8Array(BLOOM_BYTES));
  }

  static fromBase64(b64: string): BloomSet {
    const buf = Buffer.from(b64, 'base64');
    if (buf.length !== BLOOM_BYTES) throw new Error(`BloomSet: expected ${BLOOM_BYTES} bytes, got ${buf.length}`);
    return new BloomSet(new Uint8Array(buf));
  }

  /** Bits set in at least `quorum` (a fraction) of the sets: roughly the items most of them share. */
  static quorum(sets: BloomSet[], quorum: number): BloomSet {
    const out = new Uint8Array(BLOOM_BYTES);
    if (sets.length === 0) return new BloomSet(out);
    const need = max(1, ceil(quorum * sets.length));
    for (let bit = 0; bit < BITS; bit++) {
      let count = 0;
      for (const s of sets) if (s.hasBit(bit)) count++;
      if (count >= need) out[bit >> 3] |= 1 << (bit & 7);
    }
    return new BloomSet(out);
  }

  has(kind: number, value: string): boolean {
    hashPair(kind, value);
    const h1 = H[0];
    const h2 = H[1];
    for (let i = 0; i < HASHES; i++) if (!this.hasBit((h1 + imul(i, h2)) & BIT_MASK)) return false;
    return true;
  }

  add(kind: number, value: string): void {
    this.testAndAdd(kind, value);
  }

  /** Adds (kind, value); true when it was not in the set before (i.e. it is new). Allocation-free. */
  testAndAdd(kind: number, value: string): boolean {
    hashPair(kind, value);
    const h1 = H[0];
    const h2 = H[1];
    const bytes = this.bytes;
    let isNew = false;
    for (let i = 0; i < HASHES; i++) {
      const bit = (h1 + imul(i, h2)) & BIT_MASK;
      const mask = 1 << (bit & 7);
      if ((bytes[bit >> 3] & mask) === 0) {
        isNew = true;
        bytes[bit >> 3] |= mask;
      }
    }
    return isNew;
  }

  /** Bits set (a rough measure of how many items it holds). */
  get bitCount(): number {
    let n = 0;
    for (let i = 0; i < BLOOM_BYTES; i++) {
      let v = this.bytes[i];
      while (v) {
        v &= v - 1;
        n++;
      }
    }
    return n;
  }

  toBase64(): string {
    return Buffer.from(this.bytes).toString('base64');
  }

  copy(): BloomSet {
    return new BloomSet(new Uint8Array(this.bytes));
  }

  private hasBit(bit: number): boolean {
    return (this.bytes[bit >> 3] & (1 << (bit & 7))) !== 0;
  }
}
