// Bound once: inside vm sandboxes (jest) every global lookup is slow, a module constant is not.
const { cos, imul, log, sqrt } = Math;

/** mulberry32: a tiny deterministic PRNG for tests (no Math.random). */
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

/** Standard normal by Box-Muller. */
export function gaussian(rand: () => number): number {
  const u = 1 - rand();
  const v = rand();
  return sqrt(-2 * log(u)) * cos(2 * Math.PI * v);
}
