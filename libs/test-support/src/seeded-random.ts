// Bound once: inside vm sandboxes (jest) every global lookup is slow, a module constant is not.
const { cos, imul, log, sqrt } = Math;

/**
 * mulberry32, the one seeded PRNG of the repository's tests and evaluations: uniform in [0, 1), the same sequence
 * for the same seed on every run and machine. A plain closure, because the scoring evaluation draws millions.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal from a uniform source, by Box-Muller. */
export function gaussian(rand: () => number): number {
  const u = 1 - rand();
  const v = rand();
  return sqrt(-2 * log(u)) * cos(2 * Math.PI * v);
}

/**
 * A small deterministic PRNG (mulberry32) for test input: the same seed generates the same input on every run (the
 * hostile tests' traffic, for one).
 */
export class SeededRandom {
  /** Uniform in [0, 1). */
  readonly next: () => number;

  constructor(seed: number) {
    this.next = seededRandom(seed);
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** A UUID (v4 layout) from this generator, so generated ids are reproducible too. */
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.int(0, 15).toString(16));
    hex[12] = '4';
    hex[16] = ((this.int(0, 15) & 0x3) | 0x8).toString(16);
    const s = hex.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }

  /** Printable ASCII noise. */
  ascii(length: number): string {
    return Array.from({ length }, () => String.fromCharCode(this.int(0x21, 0x7e))).join('');
  }

  /**
   * Merges sequences into one, in a random order that keeps each sequence's own order (events of one subject
   * must reach its partition in the order they were meant to happen).
   */
  interleave<T>(sequences: readonly T[][]): T[] {
    const queues = sequences.filter((s) => s.length > 0).map((s) => [...s]);
    let remaining = queues.reduce((n, q) => n + q.length, 0);
    const out: T[] = [];
    while (remaining > 0) {
      let ticket = this.int(0, remaining - 1);
      const queue = queues.find((q) => (ticket -= q.length) < 0)!;
      out.push(queue.shift()!);
      remaining -= 1;
    }
    return out;
  }
}
